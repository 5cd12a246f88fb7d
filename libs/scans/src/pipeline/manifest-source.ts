import { Injectable } from '@nestjs/common';
import { DEFAULT_LIMITS, parseManifests } from '#rollsafe/manifests';
import type { StartedScan } from '#rollsafe/store';
import { codecVersionOf, EncodedSnapshot, SNAPSHOT_CODEC_VERSION } from './snapshot-codec.js';
import { ScanFailure, type ScanSource, type SourcedSnapshot } from './scan-source.js';

/** Uploaded manifests: the snapshot the API parsed when it accepted them, or (for older rows) the files parsed now. */
@Injectable()
export class ManifestSource implements ScanSource {
  async collect(started: StartedScan): Promise<SourcedSnapshot> {
    const settings = { provider: started.scan.provider };
    if (started.snapshot && codecVersionOf(started.snapshot) === SNAPSHOT_CODEC_VERSION)
      return {
        snapshot: new EncodedSnapshot(started.snapshot, started.scan.documentCount),
        documentCount: started.scan.documentCount,
        warnings: [],
        settings,
        recordsProvider: false,
        drawTimelines: false,
      };
    const parsed = parseManifests(await started.loadFiles(), DEFAULT_LIMITS);
    const first = parsed.errors[0];
    if (first) throw new ScanFailure(`manifests could not be parsed: ${first.file}${first.line ? `:${first.line}` : ''}: ${first.message}`);
    return {
      snapshot: parsed.snapshot,
      documentCount: parsed.documentCount,
      warnings: [],
      settings,
      recordsProvider: false,
      drawTimelines: false,
    };
  }
}
