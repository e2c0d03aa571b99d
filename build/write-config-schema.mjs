// Regenerates main/app/config/twinedge-config.schema.json from the zod schema (a unit test checks they match).
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../main/app/config/config-file.js';

writeFileSync(
  new URL('../main/app/config/twinedge-config.schema.json', import.meta.url),
  `${JSON.stringify(configJsonSchema(), null, 2)}\n`,
);
