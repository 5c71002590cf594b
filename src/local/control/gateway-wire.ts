/**
 * Request helpers both API Gateway control planes share (v1 REST APIs in `apigateway.ts`, v2 in
 * `apigatewayv2.ts`): the same restJson1 dialect, the same `BadRequestException` / `ConflictException`
 * bodies (`{"message"}`), the same map and member handling. Only paging differs by name and default
 * (v1: `position` / `limit`, 25; v2: `nextToken` / `maxResults`, 100), so it is a parameter.
 */
import {InvalidCursorError, type Page, type WireObject} from '../store.js'
import {type EmulatorRequest, parseJsonBody, ServiceError} from '../wire.js'

/** API Gateway's refusal to delete a deployment a stage still serves (REST's message; HTTP APIs reuse it). */
export const DEPLOYMENT_IN_USE = 'Active stages pointing to this deployment must be moved or deleted'

export function badRequest(message: string): ServiceError {
  return new ServiceError(400, 'BadRequestException', message, {message})
}

export function conflict(message: string): ServiceError {
  return new ServiceError(409, 'ConflictException', message, {message})
}

export function body(request: EmulatorRequest): Record<string, unknown> {
  return parseJsonBody(request, () => badRequest('Invalid request body'))
}

/** `shape` (v1 only) prefixes the member in the message, e.g. `createRestApiInput.name`. */
export function required(input: Record<string, unknown>, member: string, shape?: string): void {
  if (input[member] === undefined || input[member] === null) {
    const path = shape ? `${shape}.${member}` : member
    throw badRequest(`1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`)
  }
}

export function stringMap(value: unknown, member: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw badRequest(`Invalid ${member}: expected a map of strings`)
  }
  return {...(value as Record<string, string>)}
}

/** Copies the listed members that are present (the stored resource never carries unknown keys). */
export function pick(input: Record<string, unknown>, members: readonly string[]): WireObject {
  const out: WireObject = {}
  for (const member of members) if (input[member] !== undefined && input[member] !== null) out[member] = input[member]
  return out
}

export interface Paging {
  /** Query parameter carrying the cursor. */
  token: 'position' | 'nextToken'
  /** Query parameter carrying the page size. */
  limit: 'limit' | 'maxResults'
  defaultLimit: number
}

function limitOf(request: EmulatorRequest, paging: Paging): number {
  const raw = request.query.get(paging.limit)
  if (raw === null) return paging.defaultLimit
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > 500) throw badRequest(`Invalid ${paging.limit}: ${raw}. It must be between 1 and 500.`)
  return n
}

export function listPage<T>(request: EmulatorRequest, paging: Paging, load: (options: {after?: string; limit: number}) => Page<T>): Page<T> {
  const token = request.query.get(paging.token) ?? undefined
  try {
    return load({after: token || undefined, limit: limitOf(request, paging)})
  } catch (error) {
    if (error instanceof InvalidCursorError) throw badRequest(`Invalid ${paging.token}: ${token}`)
    throw error
  }
}
