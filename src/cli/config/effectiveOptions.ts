/**
 * From the lines of a file to the options that apply to one interface: names and values checked
 * against the option table (in every section, so a typo is caught even in another interface's
 * section, as ptp4l would), then [global] overridden by the interface's own section. Sections of
 * other interfaces are otherwise ignored: one file may serve several daemons.
 */
import { formatLocation, type SourceLocation } from './configError.js';
import { sectionLabel, type ConfigEntry, type SectionRef } from './configFile.js';
import { describeType, parseValue, type OptionValue } from './optionValue.js';
import { DEPRECATED_OPTIONS, findOption, OPTION_ALIASES, OPTION_NAMES, type OptionSpec } from './options.js';
import { closestName } from './suggest.js';

export interface SetOption {
  readonly spec: OptionSpec;
  readonly value: OptionValue;
  /** As written in the file, for messages. */
  readonly raw: string;
  readonly at: SourceLocation;
  readonly section: SectionRef;
}

export interface EffectiveOptions {
  /** Option name → the setting that applies to the interface. */
  readonly options: ReadonlyMap<string, SetOption>;
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

const NO_INLINE_COMMENTS = "; ptp4l has no inline comments: '#' and what follows it are part of the value, so put the comment on a line of its own";

export function effectiveOptions(entries: readonly ConfigEntry[], interfaceName: string): EffectiveOptions {
  const problems: string[] = [];
  const warnings: string[] = [];
  const global = new Map<string, SetOption>();
  const own = new Map<string, SetOption>();
  for (const entry of entries) {
    const checked = checkEntry(entry, warnings);
    if (typeof checked === 'string') {
      problems.push(checked);
      continue;
    }
    const target = entry.section.kind === 'global' ? global : entry.section.kind === 'port' && entry.section.interfaceName === interfaceName ? own : undefined;
    if (target === undefined) continue;
    // clientOnly and slaveOnly are one setting (linuxptp 4.x's name and 3.x's): keyed by the 3.x name.
    const key = OPTION_ALIASES[checked.spec.name] ?? checked.spec.name;
    const earlier = target.get(key);
    if (earlier !== undefined && earlier.raw !== checked.raw) {
      warnings.push(
        `${formatLocation(entry.at)}: ${checked.spec.name} is set again in ${sectionLabel(entry.section)} (first at line ${earlier.at.line}${earlier.spec.name === checked.spec.name ? '' : ` as ${earlier.spec.name}`}): the later value ${checked.raw} wins`,
      );
    }
    target.set(key, checked);
  }
  return { options: new Map([...global, ...own]), problems, warnings };
}

/** The checked setting, or the sentence saying what is wrong with the line. */
function checkEntry(entry: ConfigEntry, warnings: string[]): SetOption | string {
  const where = formatLocation(entry.at);
  // Own properties only: an option named __proto__ or constructor is just unknown.
  const renamed = Object.hasOwn(DEPRECATED_OPTIONS, entry.option) ? DEPRECATED_OPTIONS[entry.option] : undefined;
  if (renamed !== undefined) warnings.push(`${where}: option ${entry.option} is deprecated: read as ${renamed} (as ptp4l does)`);
  const name = renamed ?? entry.option;
  const spec = findOption(name);
  if (spec === undefined) {
    const suggestion = closestName(name, OPTION_NAMES);
    const hint = suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`;
    return `${where}: unknown option '${name}' in ${sectionLabel(entry.section)}${hint}`;
  }
  const parsed = parseValue(spec.type, entry.value);
  if (!parsed.ok) {
    const expected = `expected ${describeType(spec.type)}`;
    const hint = entry.value.includes('#') ? NO_INLINE_COMMENTS : '';
    if (parsed.detail !== undefined) return `${where}: ${name}: ${parsed.detail}: ${expected}`;
    return parsed.problem === 'malformed'
      ? `${where}: '${entry.value}' is not a valid value for ${name}: ${expected}${hint}`
      : `${where}: ${entry.value} is out of range for ${name}: ${expected}`;
  }
  if (spec.scope === 'global' && entry.section.kind === 'port') {
    return `${where}: option ${name} belongs in [global], not in ${sectionLabel(entry.section)}: it applies to the whole clock, not to one port`;
  }
  return { spec, value: parsed.value, raw: entry.value, at: entry.at, section: entry.section };
}

export function numberOf(set: SetOption | undefined): number | undefined {
  return typeof set?.value === 'number' ? set.value : undefined;
}

export function textOf(set: SetOption | undefined): string | undefined {
  return typeof set?.value === 'string' ? set.value : undefined;
}

/** An enumeration option's value when it is one of `choices` (others were reported as problems). */
export function choiceOf<T extends string>(set: SetOption | undefined, choices: readonly T[]): T | undefined {
  return choices.find((c) => c === set?.value);
}
