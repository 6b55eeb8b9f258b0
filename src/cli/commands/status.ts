import type { Command } from '../main.js';

export const command: Command = {
  summary: 'status (not yet implemented)',
  run(): Promise<number> {
    process.stderr.write('syntonic status: not implemented yet\n');
    return Promise.resolve(2);
  },
};
