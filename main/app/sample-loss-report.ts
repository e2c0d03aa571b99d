import type { SamplesLost } from '../domain/app/app-status.js';
import type { CloseReport, SampleLoss, SampleWriter } from '../store/sample-writer.js';

const n = (x: number): string => x.toLocaleString('en-US');
const at = (ts: number): string => new Date(ts).toISOString();

/** The log line for a loss episode: once when dropping starts, once when it ends (never per batch). */
export const lossLine = (kind: 'started' | 'ended', loss: SampleLoss, total: number, buffer: number): string =>
  kind === 'started'
    ? `Samples are being lost: the data store cannot be written and the ${n(buffer)} samples held in memory are ` +
      `the most it keeps, so the oldest are dropped (first lost sample from ${at(loss.from)}). ` +
      'Each tag gets a BadDataLost marker at the start of its gap.'
    : `Lost ${n(loss.count)} samples of ${n(loss.tags)} tags, source times ${at(loss.from)} to ${at(loss.to)}, ` +
      `while the data store could not be written (${n(total)} lost since start). The trends show the gap.`;

/** What stop() says when samples held in memory could not all be stored. */
export const stopLossLine = (r: CloseReport, why: string | null): string =>
  r.lost > 0
    ? `Stopping: ${n(r.lost)} samples held in memory could not be stored and are lost` +
      `${why ? ` (${why.replace(/\.$/, '')})` : ''}; ${n(r.keptAtClose)} held samples were stored at the last ` +
      `attempt, ${n(r.totalLost)} lost since start.`
    : `Stopping: the ${n(r.keptAtClose)} samples held in memory were stored at the last attempt.`;

export const samplesLostStatus = (writer: SampleWriter): SamplesLost | null => {
  const latest = writer.loss;
  if (!latest || writer.dropped === 0) return null;
  return { total: writer.dropped, latest: { ...latest, ongoing: writer.losing } };
};
