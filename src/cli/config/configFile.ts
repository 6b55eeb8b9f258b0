/**
 * The syntax of linuxptp configuration files (ptp4l(8) "CONFIGURATION FILE", config.c config_read),
 * without any knowledge of option names:
 *
 *   # a comment: '#' as the first non-blank character of a line
 *   [global]
 *   option   value with possibly several words
 *   [eth0]
 *   option   value
 *
 * ptp4l has no inline comments: everything after the option name and its blanks is the value, so
 * `priority1 248 # GM` sets priority1 to "248 # GM" (which then fails to parse as a number).
 * Section headers are [global], [unicast_master_table] (case-insensitive) or [INTERFACE].
 */
import { formatLocation, type SourceLocation } from './configError.js';

export type SectionRef = { readonly kind: 'global' } | { readonly kind: 'port'; readonly interfaceName: string } | { readonly kind: 'unicastMasterTable' };

export interface ConfigEntry {
  readonly section: SectionRef;
  readonly option: string;
  /** The rest of the line after the option name and its blanks, trailing blanks removed. */
  readonly value: string;
  readonly at: SourceLocation;
}

export interface ParsedConfigFile {
  /** Settings of [global] and port sections, in file order ([unicast_master_table] lines are skipped). */
  readonly entries: readonly ConfigEntry[];
  /** Malformed lines, each "FILE:LINE: …". */
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

/** Linux dev_valid_name: 1–15 bytes, not "." or "..", no '/', ':' or blank. */
const INTERFACE_NAME = /^[^/:\s]{1,15}$/;
const SECTION_HEADER = /^\[\s*([^\s[\]]+)\s*\]$/;

export function isInterfaceName(name: string): boolean {
  return INTERFACE_NAME.test(name) && Buffer.byteLength(name) <= 15 && name !== '.' && name !== '..';
}

export function parseConfigText(text: string, file: string): ParsedConfigFile {
  const entries: ConfigEntry[] = [];
  const problems: string[] = [];
  const warnings: string[] = [];
  // 'invalid' after a malformed header: its lines are skipped, the header was reported.
  let section: SectionRef | 'invalid' | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((rawLine, index) => {
    const at: SourceLocation = { file, line: index + 1 };
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('[')) {
      const header = parseSectionHeader(line);
      if (typeof header === 'string') {
        problems.push(`${formatLocation(at)}: ${header}`);
        section = 'invalid';
        return;
      }
      section = header;
      if (header.kind === 'unicastMasterTable') {
        warnings.push(
          `${formatLocation(at)}: [unicast_master_table] is a ptp4l section syntonic knows but does not support (gPTP is multicast only): its lines are ignored`,
        );
      }
      return;
    }
    if (section === undefined) {
      problems.push(`${formatLocation(at)}: '${line}' is not in a section: put options under [global] or [INTERFACE]`);
      return;
    }
    if (section === 'invalid' || section.kind === 'unicastMasterTable') return;
    const blank = line.search(/\s/);
    if (blank < 0) {
      problems.push(`${formatLocation(at)}: option '${line}' has no value: write 'option value' on one line`);
      return;
    }
    entries.push({ section, option: line.slice(0, blank), value: line.slice(blank).trimStart(), at });
  });
  return { entries, problems, warnings };
}

/** The section a header opens, or why it is not one. */
function parseSectionHeader(line: string): SectionRef | string {
  const match = SECTION_HEADER.exec(line);
  const expected = 'expected [global], [unicast_master_table] or [INTERFACE]';
  if (match === null) {
    const hint = line.includes('#') ? ' (ptp4l has no inline comments: put the comment on a line of its own)' : '';
    return `malformed section header '${line}': ${expected}${hint}`;
  }
  const name = match[1];
  if (name.toLowerCase() === 'global') return { kind: 'global' };
  if (name.toLowerCase() === 'unicast_master_table') return { kind: 'unicastMasterTable' };
  if (!isInterfaceName(name)) return `unknown section '${line}': '${name}' is no network interface name; ${expected}`;
  return { kind: 'port', interfaceName: name };
}

export function sectionLabel(section: SectionRef): string {
  switch (section.kind) {
    case 'global':
      return '[global]';
    case 'port':
      return `[${section.interfaceName}]`;
    case 'unicastMasterTable':
      return '[unicast_master_table]';
  }
}
