// Checks real HTTP answers against the OpenAPI document the server serves (/api/openapi.json):
// the operation's response schema for the answer's status, validated by Ajv (JSON Schema 2020-12,
// the dialect of OpenAPI 3.1). Records what it checked, so a test can ask that every operation was.

import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';

export type OpenApiDoc = {
  components: object;
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
};

export interface OpenApiCheck {
  /** Validates the answer (its body, when the response declares one) and returns the parsed body. */
  answer<T = unknown>(res: Response, method: string, template: string): Promise<T>;
  /** `operationId status` of every answer checked so far. */
  checked: Set<string>;
  /** Every operation's `operationId status` the document declares. */
  declared(): string[];
}

export function openApiCheck(doc: OpenApiDoc): OpenApiCheck {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s) && !Number.isNaN(Date.parse(s)));
  const compiled = new Map<string, ValidateFunction>();
  const checked = new Set<string>();
  return {
    checked,
    declared() {
      return Object.values(doc.paths).flatMap((ops) => Object.values(ops).flatMap((op) => Object.keys(op.responses).map((s) => `${op.operationId} ${s}`)));
    },
    async answer(res, method, template) {
      const op = doc.paths[template]?.[method.toLowerCase()];
      if (!op) throw new Error(`the OpenAPI document has no ${method} ${template}`);
      const status = String(res.status);
      const declared = op.responses[status];
      if (!declared) throw new Error(`${op.operationId}: status ${status} is not in the OpenAPI document (${await res.text()})`);
      checked.add(`${op.operationId} ${status}`);
      const schema = declared.content?.['application/json']?.schema;
      if (!schema) {
        expectEmpty(await res.text(), op.operationId);
        return undefined as never;
      }
      if (!res.headers.get('content-type')?.startsWith('application/json')) throw new Error(`${op.operationId} ${status}: not JSON`);
      const body = await res.json();
      const key = `${template} ${method} ${status}`;
      let validate = compiled.get(key);
      if (!validate) {
        // The response schema, with the document's components beside it so that its $refs resolve.
        validate = ajv.compile({ ...schema, components: doc.components });
        compiled.set(key, validate);
      }
      if (!validate(body)) throw new Error(`${op.operationId} ${status} does not match the OpenAPI document: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
      return body as never;
    },
  };
}

function expectEmpty(text: string, operationId: string) {
  if (text !== '') throw new Error(`${operationId}: expected no body, got ${text.slice(0, 200)}`);
}
