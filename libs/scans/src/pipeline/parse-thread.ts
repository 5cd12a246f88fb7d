// The body of an upload-parser thread: parses manifests and answers with plain data (the
// errors, the document count, and the snapshot as text for a simulation; for a scan also the
// decoding of its bytes, the size checks and the UTF-8 bytes the store keeps, handed over rather
// than copied; for a JSON body its fields, the manifests' bytes handed over). Loaded as compiled
// JavaScript.
import { parentPort } from 'node:worker_threads';
import { acceptUpload, transferablesOf, type AcceptRequest } from './accept-upload.js';
import { readJsonUpload, type JsonUploadRequest } from './json-upload.js';
import { parseUpload, type ParseRequest } from './parse-upload.js';

export type ParserThreadRequest = ({ kind: 'parse' } & ParseRequest) | ({ kind: 'accept' } & AcceptRequest) | ({ kind: 'json' } & JsonUploadRequest);

parentPort?.on('message', (request: ParserThreadRequest) => {
  if (request.kind === 'accept') {
    const accepted = acceptUpload(request);
    parentPort?.postMessage(accepted, transferablesOf(accepted));
  } else if (request.kind === 'json') {
    const read = readJsonUpload(request);
    parentPort?.postMessage(read, read.valid && read.manifests ? [read.manifests.bytes.buffer as ArrayBuffer] : []);
  } else parentPort?.postMessage(parseUpload(request));
});
