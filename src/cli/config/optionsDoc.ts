/**
 * docs/configuration.md's tables of the options Syntonic reads, rendered from the option table
 * (options.ts), so that the documentation cannot drift from what the code does:
 *
 *   npm run docs:options     rewrites the part between the markers
 *
 * and a test fails when the committed document differs from what this renders.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultPortConfig, type PortConfig } from '../../protocol/portConfig.js';
import { INT_MAX, INT_MIN, type OptionValue, type ValueType } from './optionValue.js';
import { READ_OPTIONS, type FieldUse, type OptionSpec } from './options.js';

export const BEGIN_MARKER = '<!-- options:begin — generated from src/cli/config/options.ts by `npm run docs:options`: edit the table there -->';
export const END_MARKER = '<!-- options:end -->';

type ReadOption = OptionSpec & { readonly use: FieldUse };

export function renderOptionTables(): string {
  const linuxptp = READ_OPTIONS.filter((o) => o.syntonicOnly !== true);
  const own = READ_OPTIONS.filter((o) => o.syntonicOnly === true);
  return [
    table(linuxptp),
    '',
    "### Syntonic's own options",
    '',
    'Named as in 802.1AS where the standard has a name. ptp4l refuses a file containing them.',
    '',
    table(own),
  ].join('\n');
}

/** The document with the part between the markers replaced by the rendered tables. */
export function withOptionTables(doc: string): string {
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER);
  if (begin < 0 || end < begin) throw new Error(`docs/configuration.md: the markers ${BEGIN_MARKER} … ${END_MARKER} are missing`);
  return `${doc.slice(0, begin + BEGIN_MARKER.length)}\n${renderOptionTables()}\n${doc.slice(end)}`;
}

function table(options: readonly ReadOption[]): string {
  const rows = options.map((o) => `| \`${o.name}\` | ${o.scope} | ${cell(valueCell(o))} | ${cell(defaultCell(o))} | ${cell(o.use.doc)} |`);
  return ['| option | section | value | default | meaning in Syntonic |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** A table cell: a '|' of the text must not end the cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function valueCell(o: ReadOption): string {
  return o.use.value ?? describeShort(o.type);
}

function describeShort(type: ValueType): string {
  switch (type.kind) {
    case 'int':
      if (type.min === 0 && type.max === 1) return '0/1';
      if (type.min === INT_MIN && type.max === INT_MAX) return 'integer';
      if (type.max === INT_MAX) return `integer ≥ ${type.min}`;
      return `${type.min}–${type.max}`;
    case 'float':
      return 'float';
    case 'enum':
      return type.values.map((v) => `\`${v}\``).join('/');
    default:
      return type.kind;
  }
}

function defaultCell(o: ReadOption): string {
  const use = o.use;
  const sets = use.sets;
  if (sets.into === 'port' || sets.into === 'portFlag') {
    const show = (c: PortConfig): string | undefined => {
      if (sets.into === 'portFlag') return formatValue(c[sets.field] ? sets.whenTrue : sets.whenFalse);
      const v = c[sets.field];
      return v === undefined ? undefined : formatValue(v);
    };
    const [gptp, automotive] = [show(defaultPortConfig('gptp')), show(defaultPortConfig('automotive'))];
    // A field the profile leaves unset has a default elsewhere (the fallback says where).
    if (gptp !== undefined && automotive !== undefined) return perProfile(gptp, automotive);
  }
  const fallback = use.fallback;
  if (fallback?.text !== undefined) return fallback.text;
  const v = fallback?.value;
  if (v === undefined) return '—';
  if (typeof v !== 'object') return formatValue(v);
  return perProfile(formatValue(v.gptp), formatValue(v.automotive));
}

function perProfile(gptp: string, automotive: string): string {
  return gptp === automotive ? gptp : `${gptp} (gptp), ${automotive} (automotive)`;
}

function formatValue(v: OptionValue | boolean): string {
  if (typeof v === 'string') return `\`${v}\``;
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

/** The repository's docs/configuration.md, from dist/src/cli/config or src/cli/config. */
export function configurationDocPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'docs', 'configuration.md');
    try {
      readFileSync(join(dir, 'package.json'));
      return candidate;
    } catch {
      dir = dirname(dir);
    }
  }
  throw new Error('cannot find the repository root (package.json)');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = configurationDocPath();
  const before = readFileSync(path, 'utf8');
  const after = withOptionTables(before);
  if (after !== before) writeFileSync(path, after);
  process.stdout.write(`${path}: option tables ${after === before ? 'already up to date' : 'regenerated'}\n`);
}
