// The body of an upload-parser thread: parses manifests and answers with plain data (the
// errors, the document count and the snapshot as text). Loaded as compiled JavaScript.
import { parentPort } from 'node:worker_threads';
import { parseUpload, type ParseRequest } from './parse-upload.js';

parentPort?.on('message', (request: ParseRequest) => {
  parentPort?.postMessage(parseUpload(request));
});
