// The OpenAPI 3.1 document of the REST API (api-v1.ts) and of API token management (api-tokens.ts),
// served at /api/openapi.json. Tests validate real answers against these schemas
// (test/http/api-tokens.test.ts): a change of a shape must change it here too.

import { API_SCOPES } from '../protocol/api-tokens.ts';
import { HISTORY_MAX_LIMIT } from '../protocol/shapes.ts';

export const OPENAPI_PATH = '/api/openapi.json';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const answer = (description: string, schema: object) => ({ description, content: json(schema) });
const error = (description: string) => answer(description, ref('Error'));
const isoTime = { type: 'string', format: 'date-time' };
const idRef = { type: 'string', minLength: 1, maxLength: 100 };
const person = { type: 'object', required: ['id', 'name'], additionalProperties: false, properties: { id: { type: 'string' }, name: { type: 'string' } } };

/** The errors every token-authenticated operation may answer with (and 400 those that take input). */
const invalid = { '400': error('invalid_payload: the input is not valid; nothing changed') };
const tokenErrors = {
  '401': error('unauthorized: no token, or an unknown or revoked one'),
  '403': error('forbidden: the token lacks the scope this operation needs'),
  '429': error('rate_limited: too many refused tokens from this address'),
};
const conversationPath = { name: 'id', in: 'path', required: true, schema: idRef, description: 'The conversation id.' };
const bearer = [{ bearerToken: [] }];

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Parley REST API',
    version: '1.0.0',
    description:
      'Read conversations and messages, send messages, close and assign conversations, list agents. ' +
      'Authenticate with an API token (`Authorization: Bearer pky_…`) an admin creates on the dashboard. ' +
      'Errors are `{"error":{"code","message"}}`. See docs/api.md.',
  },
  servers: [{ url: '/' }],
  components: {
    securitySchemes: {
      bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token (pky_…) with the scopes the operation names.' },
      dashboardSession: { type: 'apiKey', in: 'cookie', name: 'parley.sid', description: "An admin's dashboard session (same-origin requests only)." },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        additionalProperties: false,
        properties: {
          error: { type: 'object', required: ['code', 'message'], additionalProperties: false, properties: { code: { type: 'string' }, message: { type: 'string' } } },
        },
      },
      Scope: { type: 'string', enum: [...API_SCOPES] },
      Conversation: {
        type: 'object',
        required: ['id', 'visitor', 'status', 'agent', 'queuePosition', 'lastSeq', 'createdAt', 'reads', 'revision'],
        additionalProperties: false,
        properties: {
          id: { type: 'string' },
          visitor: person,
          status: { type: 'string', enum: ['queued', 'active', 'closed'] },
          agent: { oneOf: [person, { type: 'null' }] },
          queuePosition: { type: ['integer', 'null'], minimum: 1, description: '1-based place while queued, else null.' },
          lastSeq: { type: 'integer', minimum: 0 },
          createdAt: isoTime,
          reads: {
            type: 'object',
            required: ['visitor', 'agent'],
            additionalProperties: false,
            properties: { visitor: { type: 'integer', minimum: 0 }, agent: { type: 'integer', minimum: 0 } },
          },
          revision: { type: 'integer', minimum: 0 },
        },
      },
      Message: {
        type: 'object',
        required: ['id', 'conversationId', 'seq', 'clientId', 'author', 'body', 'createdAt'],
        additionalProperties: false,
        properties: {
          id: { type: 'string' },
          conversationId: { type: 'string' },
          seq: { type: 'integer', minimum: 1 },
          clientId: { type: 'string' },
          author: {
            type: 'object',
            required: ['kind', 'id', 'name'],
            additionalProperties: false,
            properties: { kind: { type: 'string', enum: ['visitor', 'agent', 'system'] }, id: { type: 'string' }, name: { type: 'string' } },
          },
          body: { type: 'string' },
          createdAt: isoTime,
          attachment: {
            type: 'object',
            required: ['id', 'name', 'size', 'type', 'url'],
            additionalProperties: false,
            properties: { id: { type: 'string' }, name: { type: 'string' }, size: { type: 'integer' }, type: { type: 'string' }, url: { type: 'string' } },
          },
        },
      },
      Agent: {
        type: 'object',
        required: ['id', 'name', 'email', 'role', 'status'],
        additionalProperties: false,
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          email: { type: 'string' },
          role: { type: 'string', enum: ['agent', 'admin'] },
          status: { type: 'string', enum: ['online', 'away', 'offline'] },
        },
      },
      ApiToken: {
        type: 'object',
        required: ['id', 'name', 'scopes', 'prefix', 'createdAt', 'lastUsedAt', 'createdBy'],
        additionalProperties: false,
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          scopes: { type: 'array', items: ref('Scope') },
          prefix: { type: 'string', pattern: '^pky_' },
          createdAt: isoTime,
          lastUsedAt: { oneOf: [isoTime, { type: 'null' }] },
          createdBy: { oneOf: [person, { type: 'null' }] },
        },
      },
      CreatedApiToken: {
        type: 'object',
        required: ['id', 'name', 'scopes', 'secret'],
        additionalProperties: false,
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          scopes: { type: 'array', items: ref('Scope') },
          secret: { type: 'string', pattern: '^pky_[A-Za-z0-9_-]{43}$', description: 'Shown this once; only its hash is stored.' },
        },
      },
    },
  },
  paths: {
    '/api/v1/conversations': {
      get: {
        operationId: 'listConversations',
        summary: 'Conversations, newest first, a page at a time (scope conversations:read)',
        security: bearer,
        parameters: [
          { name: 'status', in: 'query', schema: { type: 'string', enum: ['queued', 'active', 'closed'] } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: HISTORY_MAX_LIMIT, default: 50 } },
          { name: 'cursor', in: 'query', schema: { type: 'string', maxLength: 200 }, description: "The previous page's nextCursor." },
        ],
        responses: {
          '200': answer('A page', {
            type: 'object',
            required: ['conversations', 'nextCursor'],
            additionalProperties: false,
            properties: { conversations: { type: 'array', items: ref('Conversation') }, nextCursor: { type: ['string', 'null'] } },
          }),
          ...invalid,
          ...tokenErrors,
        },
      },
    },
    '/api/v1/conversations/{id}': {
      get: {
        operationId: 'getConversation',
        summary: 'One conversation (scope conversations:read)',
        security: bearer,
        parameters: [conversationPath],
        responses: {
          '200': answer('The conversation', { type: 'object', required: ['conversation'], additionalProperties: false, properties: { conversation: ref('Conversation') } }),
          ...tokenErrors,
          '404': error('not_found: no such conversation'),
        },
      },
    },
    '/api/v1/conversations/{id}/messages': {
      get: {
        operationId: 'listMessages',
        summary: 'Messages in seq order after afterSeq (scope conversations:read)',
        security: bearer,
        parameters: [
          conversationPath,
          { name: 'afterSeq', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: HISTORY_MAX_LIMIT, default: 50 } },
        ],
        responses: {
          '200': answer('A page', {
            type: 'object',
            required: ['messages', 'nextAfterSeq'],
            additionalProperties: false,
            properties: { messages: { type: 'array', items: ref('Message') }, nextAfterSeq: { type: ['integer', 'null'] } },
          }),
          ...invalid,
          ...tokenErrors,
          '404': error('not_found: no such conversation'),
        },
      },
      post: {
        operationId: 'sendMessage',
        summary: 'Send a message as an agent (scope messages:send_agent) or as the system (scope messages:send_system)',
        description: 'Idempotent by clientId: sending the same clientId again returns the first message and creates nothing.',
        security: bearer,
        parameters: [conversationPath],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['clientId', 'body', 'as'],
            additionalProperties: false,
            properties: {
              clientId: idRef,
              body: { type: 'string', minLength: 1 },
              as: { type: 'string', enum: ['agent', 'system'] },
              agentId: { ...idRef, description: 'With as=agent: the agent (default: the one the conversation is assigned to).' },
              authorName: { type: 'string', minLength: 1, maxLength: 100, description: "With as=system: the author's name (default: the token's name)." },
            },
          }),
        },
        responses: {
          '200': answer('The message (stored, or the one sent before with this clientId)', {
            type: 'object',
            required: ['message'],
            additionalProperties: false,
            properties: { message: ref('Message') },
          }),
          ...invalid,
          ...tokenErrors,
          '404': error('not_found: no such conversation or agent'),
          '409': error('conversation_closed, or conflict: not assigned to that agent'),
        },
      },
    },
    '/api/v1/conversations/{id}/close': {
      post: {
        operationId: 'closeConversation',
        summary: 'Close a conversation (scope conversations:manage)',
        security: bearer,
        parameters: [conversationPath],
        responses: {
          '200': answer('The closed conversation', { type: 'object', required: ['conversation'], additionalProperties: false, properties: { conversation: ref('Conversation') } }),
          ...tokenErrors,
          '404': error('not_found: no such conversation'),
          '409': error('conversation_closed: closed already'),
        },
      },
    },
    '/api/v1/conversations/{id}/assign': {
      post: {
        operationId: 'assignConversation',
        summary: 'Assign a conversation to an agent (scope conversations:manage)',
        security: bearer,
        parameters: [conversationPath],
        requestBody: {
          required: true,
          content: json({ type: 'object', required: ['agentId'], additionalProperties: false, properties: { agentId: idRef } }),
        },
        responses: {
          '200': answer('The assigned conversation', { type: 'object', required: ['conversation'], additionalProperties: false, properties: { conversation: ref('Conversation') } }),
          ...invalid,
          ...tokenErrors,
          '404': error('not_found: no such conversation or agent'),
          '409': error('conversation_closed'),
        },
      },
    },
    '/api/v1/agents': {
      get: {
        operationId: 'listAgents',
        summary: 'The team (agents not disabled) with their status (scope agents:read)',
        security: bearer,
        responses: {
          '200': answer('The agents', { type: 'object', required: ['agents'], additionalProperties: false, properties: { agents: { type: 'array', items: ref('Agent') } } }),
          ...tokenErrors,
        },
      },
    },
    '/api/tokens': {
      get: {
        operationId: 'listApiTokens',
        summary: 'API tokens, newest first, never their secrets (admins, dashboard session)',
        security: [{ dashboardSession: [] }],
        responses: {
          '200': answer('The tokens', { type: 'object', required: ['tokens'], additionalProperties: false, properties: { tokens: { type: 'array', items: ref('ApiToken') } } }),
          '401': error('unauthorized'),
          '403': error('forbidden: not an admin, or a cross-site request'),
        },
      },
      post: {
        operationId: 'createApiToken',
        summary: 'Create a token; its secret is in this answer only (admins, dashboard session)',
        security: [{ dashboardSession: [] }],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['name', 'scopes'],
            additionalProperties: false,
            properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, scopes: { type: 'array', minItems: 1, items: ref('Scope') } },
          }),
        },
        responses: {
          '201': answer('The token with its secret', { type: 'object', required: ['token'], additionalProperties: false, properties: { token: ref('CreatedApiToken') } }),
          '400': error('invalid_payload'),
          '401': error('unauthorized'),
          '403': error('forbidden'),
          '409': error('conflict: too many tokens'),
        },
      },
    },
    '/api/tokens/{id}': {
      delete: {
        operationId: 'revokeApiToken',
        summary: 'Revoke a token: refused at once on every node (admins, dashboard session)',
        security: [{ dashboardSession: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: idRef }],
        responses: { '204': { description: 'Revoked' }, '401': error('unauthorized'), '403': error('forbidden'), '404': error('not_found') },
      },
    },
  },
} as const;
