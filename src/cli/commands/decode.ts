import type { Command } from '../main.js';

export const command: Command = {
  summary: 'decode (not yet implemented)',
  run(): Promise<number> {
    process.stderr.write('syntonic decode: not implemented yet\n');
    return Promise.resolve(2);
  },
};
