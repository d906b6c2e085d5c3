/**
 * An AWS SDK operation's schema cut down to the members a function sends and reads, written as the
 * source of an ES module for its bundle (build-plugins.ts `prunedCreateJobSchema`). Build time only.
 *
 * Why: the SDK serializes requests and parses answers by walking the operation's static schemas
 * (@smithy/core, schema-based serde), and a bundle carries every structure they reach. MediaConvert's
 * CreateJob reaches nearly all of MediaConvert's job settings, 74 KB minified (20 KiB gzip), where
 * submit-job sets a few dozen members and reads a few of them back.
 *
 * Why the requests and answers stay the same: the JSON serializer writes a structure by walking the
 * schema's members and skipping those that are not set (`JsonShapeSerializer2.writeStruct`), so a
 * schema without the members a function never sets writes the same bytes; the parser fills only the
 * members a schema has, so an answer lacks only members the function never reads. Which members those
 * are is taken from samples, values of the operation's input and output that the function's own code
 * builds (submit-job/create-job-samples.ts), never from a list kept by hand. A sample member the
 * schema does not have fails the build.
 * https://github.com/smithy-lang/smithy-typescript/tree/main/packages/core/src/submodules/schema
 */
import { isDeepStrictEqual } from "node:util";

/** A static schema: `[kind, namespace, name, traits, ...]` (@smithy/types static-schemas.d.ts). */
type StaticSchema = unknown[];

/** Kinds of static schemas (@smithy/types `StaticSchemaId*`). */
const SIMPLE = 0;
const LIST = 1;
const MAP = 2;
const STRUCT = 3;
const UNION = 4;
const OPERATION = 9;

/** The members each structure keeps, by the structure's schema (its identity, not its name). */
type KeptMembers = Map<StaticSchema, Set<string>>;

/** A value of an operation's input and of its output. */
export interface OperationSample {
  input: object;
  output: object;
}

/** A member schema is `[ref, traits]`; a static schema has at least five entries. */
const isMemberSchema = (ref: unknown): ref is [unknown, unknown] => Array.isArray(ref) && ref.length === 2;
const isStaticSchema = (ref: unknown): ref is StaticSchema => Array.isArray(ref) && ref.length >= 5;

/** What a schema reference points at: member wrappers and lazy `() => X$` references resolved. */
function target(ref: unknown): unknown {
  let current = ref;
  for (;;) {
    if (typeof current === "function") current = (current as () => unknown)();
    else if (isMemberSchema(current)) current = current[0];
    else return current;
  }
}

/** Records in `kept` every structure member `value` sets, through lists, maps and nested structures. */
function markUsed(ref: unknown, value: unknown, kept: KeptMembers): void {
  if (value === null || value === undefined) return;
  const schema = target(ref);
  // Numbers and strings name simple types (string, integer, timestamp, blob, ...): leaves.
  if (!isStaticSchema(schema)) return;
  if (schema[0] === SIMPLE) return markUsed(schema[4], value, kept);
  if (schema[0] === LIST) return (value as unknown[]).forEach((item) => markUsed(schema[4], item, kept));
  if (schema[0] === MAP) return Object.values(value).forEach((item) => markUsed(schema[5], item, kept));
  if (schema[0] !== STRUCT && schema[0] !== UNION) return;
  const names = schema[4] as string[];
  const members = kept.get(schema) ?? new Set<string>();
  kept.set(schema, members);
  for (const [name, memberValue] of Object.entries(value)) {
    const index = names.indexOf(name);
    if (index < 0) throw new Error(`${String(schema[2])} has no member ${name}: fix the sample.`);
    if (memberValue === null || memberValue === undefined) continue;
    members.add(name);
    markUsed((schema[5] as unknown[])[index], memberValue, kept);
  }
}

/** Traits as source: plain data (numbers, strings, arrays, objects), or the build fails. */
function traitsSource(traits: unknown): string {
  const source = JSON.stringify(traits);
  if (source === undefined || !isDeepStrictEqual(JSON.parse(source), traits)) {
    throw new Error(`Schema traits that are not plain data: ${String(traits)}`);
  }
  return source;
}

/** Writes the pruned copies of the schemas an operation reaches as `const sN = [...]` declarations. */
class PrunedSchemaWriter {
  private readonly names = new Map<StaticSchema, string>();
  readonly declarations: string[] = [];

  constructor(private readonly kept: KeptMembers) {}

  /** Source of a schema reference: simple types as they are, static schemas as lazy references. */
  ref(ref: unknown): string {
    if (typeof ref === "number" || typeof ref === "string") return JSON.stringify(ref);
    if (isMemberSchema(ref)) return `[${this.ref(ref[0])}, ${traitsSource(ref[1])}]`;
    const schema = target(ref);
    if (!isStaticSchema(schema)) return this.ref(schema);
    // Lazy, as the SDK's own modules write them: declarations may then come in any order, and
    // recursive structures need no special case.
    return `() => ${this.declare(schema)}`;
  }

  /** The name of the schema's pruned copy, declared on first use. */
  declare(schema: StaticSchema): string {
    const known = this.names.get(schema);
    if (known) return known;
    const name = `s${this.names.size}`;
    this.names.set(schema, name);
    const head = `${schema[0]}, ${JSON.stringify(schema[1])}, ${JSON.stringify(schema[2])}, ${traitsSource(schema[3])}`;
    this.declarations.push(`const ${name} = [${head}, ${this.body(schema)}];`);
    return name;
  }

  /** Everything after the traits: for structures only the kept members, in the schema's order. */
  private body(schema: StaticSchema): string {
    const kind = schema[0];
    if (kind === SIMPLE || kind === LIST) return this.ref(schema[4]);
    // A map's key and value; an operation's input and output.
    if (kind === MAP || kind === OPERATION) return `${this.ref(schema[4])}, ${this.ref(schema[5])}`;
    if (kind !== STRUCT && kind !== UNION)
      throw new Error(`Unexpected schema kind ${String(kind)} in ${String(schema[2])}.`);
    const names = schema[4] as string[];
    const kept = this.kept.get(schema) ?? new Set<string>();
    const indexes = names.map((_, index) => index).filter((index) => kept.has(names[index]!));
    const members = indexes.map((index) => this.ref((schema[5] as unknown[])[index]));
    // Required members come first; their count is the seventh entry when there are any.
    const required =
      typeof schema[6] === "number" ? [indexes.filter((index) => index < (schema[6] as number)).length] : [];
    return [JSON.stringify(indexes.map((index) => names[index])), `[${members.join(", ")}]`, ...required].join(", ");
  }
}

/**
 * The source of an ES module exporting `exportName`: `operation` (a `[9, ...]` operation schema)
 * with its input and output structures keeping only the members `samples` set.
 */
export function prunedOperationModule(exportName: string, operation: unknown, samples: OperationSample[]): string {
  if (!isStaticSchema(operation) || operation[0] !== OPERATION)
    throw new Error(`${exportName} is not an operation schema.`);
  const kept: KeptMembers = new Map();
  for (const sample of samples) {
    markUsed(operation[4], sample.input, kept);
    markUsed(operation[5], sample.output, kept);
  }
  const writer = new PrunedSchemaWriter(kept);
  const name = writer.declare(operation);
  return `${writer.declarations.join("\n")}\nexport { ${name} as ${exportName} };\n`;
}
