import { z } from 'zod';
import { mount } from 'svelte';
import 'uplot/dist/uPlot.min.css';
import './app.css';
import App from './App.svelte';

// Zod's JIT compiles validators with new Function, which the CSP (script-src 'self') forbids.
z.config({ jitless: true });

const target = document.getElementById('app');
if (!target) throw new Error('#app element missing from index.html');

mount(App, { target });
