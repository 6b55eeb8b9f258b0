/**
 * The one error a configuration can fail with. Its message is what the user reads: one problem per
 * line, each starting with where it comes from ("gPTP.cfg:12: …" or "--clock: …"), so that every
 * problem of a file is reported at once rather than one per run.
 */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Where a value came from: a file line, or a command-line flag. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

export function formatLocation(at: SourceLocation): string {
  return `${at.file}:${at.line}`;
}
