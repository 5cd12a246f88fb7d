import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { jestConfig } from '../../jest.preset.js';

export default jestConfig(path.dirname(fileURLToPath(import.meta.url)));
