import type { Command } from '../main.js';

export const command: Command = {
  summary: 'replay (not yet implemented)',
  run(): Promise<number> {
    process.stderr.write('syntonic replay: not implemented yet\n');
    return Promise.resolve(2);
  },
};
