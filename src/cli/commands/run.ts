import type { Command } from '../main.js';

export const command: Command = {
  summary: 'run (not yet implemented)',
  run(): Promise<number> {
    process.stderr.write('syntonic run: not implemented yet\n');
    return Promise.resolve(2);
  },
};
