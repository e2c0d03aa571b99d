// Calls on a local device's TwinEdge asset (predictions, training), allowed only once the device is linked.
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import type { PredictionAnswer as Prediction, TrainingJobAnswer as TrainingJob } from './api/answers.js';
import type { TrainingBody } from './api/model.js';
import type { Clock } from './clock.js';
import { listEvery } from './cloud-cache.js';
import type { CloudClients } from './cloud-clients.js';
import { linkedAsset } from './directory.js';
import { TwinEdgeNotConfigured } from './not-configured.js';

export interface AssetCallsOptions {
  store: Store;
  clients: CloudClients;
  clock: Clock;
  log: Logger;
}

export interface TrainInput {
  deviceId: number;
  name: string;
  modelType: TrainingBody['model_type'];
  tagNames: string[];
  hours: number;
}

/** TwinEdge's ML on the asset a device uploads to, by the same link rule as its tags. */
export class AssetCalls {
  constructor(private readonly o: AssetCallsOptions) {}

  async predictions(deviceId: number, hours: number): Promise<Prediction[]> {
    const assetId = this.assetOf(deviceId);
    const end = this.o.clock.now();
    const client = this.o.clients.require();
    return listEvery((q) =>
      client.predictions({
        ...q,
        asset_id: assetId,
        start: new Date(end - hours * 3_600_000).toISOString(),
        end: new Date(end).toISOString(),
      }),
    );
  }

  async train(input: TrainInput): Promise<TrainingJob> {
    const end = this.o.clock.now();
    const job = await this.o.clients.require().startTraining({
      name: input.name,
      model_type: input.modelType,
      asset_id: this.assetOf(input.deviceId),
      tag_names: input.tagNames,
      start: new Date(end - input.hours * 3_600_000).toISOString(),
      end: new Date(end).toISOString(),
    });
    this.o.log.info(`Training job "${job.name}" started in TwinEdge (${job.id}).`);
    return job;
  }

  trainingJob(id: string): Promise<TrainingJob> {
    return this.o.clients.require().getTrainingJob(id);
  }

  /** The device's TwinEdge asset by the same rule as its tags (predictions and training follow uploads). */
  private assetOf(deviceId: number): string {
    const link = this.o.store.sync.link(deviceId);
    const asset = link ? linkedAsset(link) : null;
    if (asset) return asset;
    throw new TwinEdgeNotConfigured(
      link?.state === 'unlinked'
        ? 'Syncing of this device to TwinEdge is switched off (see Cloud sync → Devices in TwinEdge).'
        : link?.state === 'deleting'
          ? 'This device is being removed from TwinEdge.'
          : 'This device is not registered in TwinEdge yet (see Cloud sync → Devices in TwinEdge).',
    );
  }
}
