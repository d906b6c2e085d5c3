/**
 * Checks live responses against the served OpenAPI document: the operation for the request's
 * method and path, a documented status, a documented content type and (JSON) a body valid against
 * the response's schema (ajv, JSON Schema 2020-12, the dialect of OpenAPI 3.1). Records which
 * statuses were seen, so a test can require that every documented one was exercised.
 */
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

type Json = Record<string, unknown>;
export type OpenApiDocument = Json & { paths: Record<string, Json>; components: Json };

const DOCUMENT_ID = "https://media-edge.test/openapi.json";
export const OPERATION_METHODS = ["get", "head", "post", "put", "patch", "delete", "options"] as const;

/** A path template as a regular expression; a trailing parameter of a `*` Hono route may hold `/`. */
function templatePattern(template: string, honoPath: string): RegExp {
  const names = [...template.matchAll(/\{[^}]+\}/g)].length;
  let index = 0;
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      if (!part.startsWith("{")) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
      index += 1;
      return index === names && honoPath.endsWith("*") ? ".+" : "[^/]+";
    })
    .join("");
  return new RegExp(`^${source}$`);
}

const params = (template: string): number => template.split("{").length - 1;

export class ResponseChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly templates: Array<{ template: string; pattern: RegExp; literal: boolean }>;
  /** "<method> <template> <status>" for inline responses, "#<name>" for shared ones. */
  readonly seen = new Set<string>();

  constructor(readonly document: OpenApiDocument) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: document.components });
    this.templates = Object.entries(document.paths)
      .map(([template, item]) => ({
        template,
        pattern: templatePattern(template, String(item["x-hono-path"])),
        literal: !template.includes("{"),
      }))
      // Concrete paths win over templated ones (OpenAPI 3.1 §4.8.8), and fewer parameters over more
      // (`/vod/{jobId}/poster.jpg` before `/vod/{jobId}/{playlist}`, as Hono registers them).
      .sort((a, b) => Number(b.literal) - Number(a.literal) || params(a.template) - params(b.template));
  }

  /** The path template a request path matches, or undefined. */
  templateOf(path: string): string | undefined {
    return this.templates.find((entry) => entry.pattern.test(path))?.template;
  }

  private schemaValidator(schema: Json): ValidateFunction {
    const text = JSON.stringify(schema).replaceAll('"#/components/', `"${DOCUMENT_ID}#/components/`);
    let validate = this.validators.get(text);
    if (!validate) this.validators.set(text, (validate = this.ajv.compile(JSON.parse(text))));
    return validate;
  }

  /** Throws (with what differs) unless the response is documented; returns the parsed JSON body, if any. */
  async check(method: string, url: string, response: Response): Promise<unknown> {
    const path = new URL(url, "https://edge.test").pathname;
    const template = this.templateOf(path);
    if (template === undefined) throw new Error(`${method} ${path}: no path in the document matches`);
    const operation = this.document.paths[template]![method.toLowerCase()] as Json | undefined;
    if (operation === undefined) throw new Error(`${method} ${template}: operation not in the document`);
    let documented = (operation.responses as Record<string, Json>)[String(response.status)];
    if (documented === undefined) throw new Error(`${method} ${template}: status ${response.status} not documented`);
    const shared = typeof documented.$ref === "string" ? documented.$ref.split("/").at(-1)! : undefined;
    if (shared !== undefined) documented = (this.document.components.responses as Record<string, Json>)[shared]!;
    this.seen.add(shared !== undefined ? `#${shared}` : `${method.toLowerCase()} ${template} ${response.status}`);
    return this.checkContent(`${method} ${template} ${response.status}`, documented, response, method === "HEAD");
  }

  private async checkContent(label: string, documented: Json, response: Response, head: boolean): Promise<unknown> {
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (head && bytes.length > 0) throw new Error(`${label}: HEAD answered with a body`);
    const content = documented.content as Record<string, { schema?: Json }> | undefined;
    if (content === undefined) {
      if (bytes.length > 0) throw new Error(`${label}: a body where the document has none`);
      return undefined;
    }
    const type = (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    const key = Object.keys(content).find(
      (name) => name === type || (name.endsWith("/*") && type.startsWith(name.slice(0, -1))),
    );
    if (key === undefined)
      throw new Error(`${label}: content type ${type} not documented (${Object.keys(content).join(", ")})`);
    // HEAD: the GET's headers without its body.
    if (key !== "application/json" || head) return undefined;
    const body = new TextDecoder().decode(bytes);
    const json: unknown = JSON.parse(body);
    const validate = this.schemaValidator(content[key]!.schema ?? {});
    if (!validate(json))
      throw new Error(`${label}: body ${body} does not match: ${this.ajv.errorsText(validate.errors)}`);
    return json;
  }

  /** Documented statuses not seen: inline ones per operation (GET/POST...), shared ones anywhere. */
  unexercised(): string[] {
    const missing = new Set<string>();
    for (const [template, item] of Object.entries(this.document.paths)) {
      for (const method of OPERATION_METHODS) {
        const operation = item[method] as Json | undefined;
        if (operation === undefined) continue;
        for (const [status, response] of Object.entries(operation.responses as Record<string, Json>)) {
          const key =
            typeof response.$ref === "string"
              ? `#${response.$ref.split("/").at(-1)}`
              : method === "head" || method === "options"
                ? undefined // HEAD answers like GET without a body; checked whenever called
                : `${method} ${template} ${status}`;
          if (key !== undefined && !this.seen.has(key)) missing.add(key);
        }
      }
    }
    return [...missing].sort();
  }
}
