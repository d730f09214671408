/**
 * Spark's `get_json_object` path language and evaluation (Hive-compatible), over parsed JSON.
 *
 * Paths: `$` followed by steps `.name`, `['name']`, `[index]`, `[*]`; `.*` and `['*']` parse but,
 * as in Spark, never match anything (Spark's evaluator only applies a wildcard to object fields
 * after a key step, which the path parser never produces). A name after `.` runs up to the next
 * `.` or `[` (so `$.zip code` and `$.fb:testid` are names); a bracketed name cannot contain `'`
 * or `?`. Anything else (`$..a`, `$[-1]`, `a.b`) is not a path: the result is null.
 *
 * Results follow Spark's write styles: a string found at the end of a path without array
 * wildcards is returned unquoted; everything else is compact JSON. `[*]` collects every match
 * into a JSON array, except that a single match at the outermost wildcard is returned on its own
 * (`$[*].a` over `[{"a":"x"}]` gives `"x"` with quotes); `[*][*]` flattens nested arrays.
 * A JSON null reached through a field name is no match (SQL NULL).
 */
import { quoteJson, writeJson, type JsonNode } from './json-text.js';

export type PathStep =
  | { readonly k: 'key' }
  | { readonly k: 'named'; readonly name: string }
  | { readonly k: 'subscript' }
  | { readonly k: 'wildcard' }
  | { readonly k: 'index'; readonly index: number };

const KEY: PathStep = { k: 'key' };
const SUBSCRIPT: PathStep = { k: 'subscript' };
const WILDCARD: PathStep = { k: 'wildcard' };

/** Java's `\s`. */
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/**
 * Parses a path as Spark's JsonPathParser does (a Scala RegexParsers grammar: string literals
 * and regexes skip leading white space, single-character tokens do not), or undefined.
 */
export function parseJsonPath(path: string): PathStep[] | undefined {
  if (path.charCodeAt(0) !== 36) return undefined; // '$'
  const steps: PathStep[] = [];
  let i = 1;
  const skip = (at: number): number => {
    while (at < path.length && isSpace(path.charCodeAt(at))) at++;
    return at;
  };
  for (;;) {
    const ws = skip(i);
    if (path.startsWith('.*', ws)) {
      steps.push(WILDCARD);
      i = ws + 2;
      continue;
    }
    if (path.startsWith("['*']", ws)) {
      steps.push(WILDCARD);
      i = ws + 5;
      continue;
    }
    if (path.charCodeAt(i) === 46) {
      // '.' then a name of characters other than '.' and '['
      let j = skip(i + 1);
      const start = j;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      if (j > start) {
        steps.push(KEY, { k: 'named', name: path.slice(start, j) });
        i = j;
        continue;
      }
    }
    if (path.startsWith("['", ws)) {
      let j = skip(ws + 2);
      const start = j;
      while (j < path.length && path[j] !== "'" && path[j] !== '?') j++;
      if (j > start && path.startsWith("']", skip(j))) {
        steps.push(KEY, { k: 'named', name: path.slice(start, j) });
        i = skip(j) + 2;
        continue;
      }
    }
    if (path.charCodeAt(i) === 91) {
      // '[' then '*' or digits (after optional white space) then ']'
      if (path.charCodeAt(i + 1) === 42 && path.charCodeAt(i + 2) === 93) {
        steps.push(SUBSCRIPT, WILDCARD);
        i += 3;
        continue;
      }
      let j = skip(i + 1);
      const start = j;
      while (j < path.length && path.charCodeAt(j) >= 48 && path.charCodeAt(j) <= 57) j++;
      if (j > start && path.charCodeAt(j) === 93) {
        const index = Number(path.slice(start, j));
        if (!Number.isSafeInteger(index)) return undefined;
        steps.push(SUBSCRIPT, { k: 'index', index });
        i = j + 1;
        continue;
      }
    }
    return skip(i) === path.length ? steps : undefined;
  }
}

const enum Style {
  Raw,
  Quoted,
  Flatten,
}

/**
 * Jackson's generator as Spark uses it here: values in an array are separated by commas, raw
 * writes are not values (no separator), raw values are.
 */
class Out {
  text = '';
  private readonly counts: number[] = [0];

  private sep(): void {
    const top = this.counts.length - 1;
    if (this.counts[top]! > 0) this.text += top === 0 ? ' ' : ',';
    this.counts[top]!++;
  }
  value(json: string): void {
    this.sep();
    this.text += json;
  }
  raw(text: string): void {
    this.text += text;
  }
  startArray(): void {
    this.sep();
    this.text += '[';
    this.counts.push(0);
  }
  endArray(): void {
    this.counts.pop();
    this.text += ']';
  }
}

/** The result of `get_json_object` for a parsed document and path, or null when nothing matches. */
export function evaluateJsonPath(root: JsonNode, path: readonly PathStep[]): string | null {
  const out = new Out();
  return evaluate(root, out, Style.Raw, path, 0) ? out.text : null;
}

function evaluate(node: JsonNode, g: Out, style: Style, path: readonly PathStep[], at: number): boolean {
  if (at === path.length) {
    if (node.t === 'str' && style === Style.Raw) {
      g.raw(node.v);
      return true;
    }
    if (node.t === 'arr' && style === Style.Flatten) {
      let dirty = false;
      for (const item of node.items) dirty = evaluate(item, g, style, path, at) || dirty;
      return dirty;
    }
    g.value(node.t === 'str' ? quoteJson(node.v) : writeJson(node));
    return true;
  }
  const step = path[at]!;
  if (node.t === 'obj' && step.k === 'key') {
    // Key is always followed by Named: the first field of that name whose value matches wins.
    const name = (path[at + 1] as { name: string }).name;
    for (let k = 0; k < node.keys.length; k++) {
      if (node.keys[k] !== name) continue;
      const v = node.vals[k]!;
      if (v.t !== 'null' && evaluate(v, g, style, path, at + 2)) return true;
    }
    return false;
  }
  if (node.t === 'arr' && step.k === 'subscript') {
    const op = path[at + 1]!;
    if (op.k === 'wildcard') return wildcard(node.items, g, style, path, at + 2);
    if (op.k === 'index') {
      const item = node.items[op.index];
      if (item === undefined) return false;
      const rest = at + 2;
      const next = path[rest]?.k === 'subscript' && path[rest + 1]?.k === 'wildcard' ? Style.Quoted : style;
      return evaluate(item, g, next, path, rest);
    }
  }
  return false;
}

function wildcard(items: readonly JsonNode[], g: Out, style: Style, path: readonly PathStep[], rest: number): boolean {
  if (path[rest]?.k === 'subscript' && path[rest + 1]?.k === 'wildcard') {
    // `[*][*]`: Hive's non-structure-preserving double wildcard flattens into one array.
    let dirty = false;
    g.startArray();
    for (const item of items) dirty = evaluate(item, g, Style.Flatten, path, rest + 2) || dirty;
    g.endArray();
    return dirty;
  }
  if (style !== Style.Quoted) {
    // Matches are buffered: one match is emitted without the enclosing array.
    const next = style === Style.Raw ? Style.Quoted : Style.Flatten;
    const buffer = new Out();
    buffer.startArray();
    let matches = 0;
    for (const item of items) if (evaluate(item, buffer, next, path, rest)) matches++;
    buffer.endArray();
    if (matches > 1) g.value(buffer.text);
    else if (matches === 1) g.value(buffer.text.slice(1, -1));
    return matches > 0;
  }
  let dirty = false;
  g.startArray();
  for (const item of items) dirty = evaluate(item, g, Style.Quoted, path, rest) || dirty;
  g.endArray();
  return dirty;
}
