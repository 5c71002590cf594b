import {readFileSync} from 'node:fs'
import {describe, expect, test} from 'vitest'
import {buildSchema, SCHEMA_FILE, schemaText} from '../../scripts/gen-schema.mjs'
import {configSchema, NODE_RUNTIMES} from '../../src/config/schema.js'

// biome-ignore lint/suspicious/noExplicitAny: walking an untyped JSON Schema document
type Node = Record<string, any>

describe('schema.json', () => {
  test('the committed schema.json is what scripts/gen-schema.mjs generates (run it when this fails)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(schemaText(configSchema))
  })

  test('describes what a person writes: only name and functions are required', () => {
    const schema = buildSchema(configSchema) as Node
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#')
    expect(schema.required).toEqual(['name', 'functions'])
    expect(schema.additionalProperties).toBe(false)
    expect(Object.keys(schema.properties)).toEqual(['$schema', 'name', 'region', 'role', 'api', 'defaults', 'functions'])
  })

  test('carries the Lambda limits and runtimes the loader enforces', () => {
    const fn = (buildSchema(configSchema) as Node).properties.functions.additionalProperties
    expect(fn.required).toEqual(['handler'])
    expect(fn.additionalProperties).toBe(false)
    expect(fn.properties.memory).toMatchObject({type: 'integer', minimum: 128, maximum: 10240})
    expect(fn.properties.timeout).toMatchObject({type: 'integer', minimum: 1, maximum: 900})
    expect(fn.properties.runtime.enum).toEqual([...NODE_RUNTIMES])
  })

  test('editor hints: function keys and route keys have patterns, fields have descriptions', () => {
    const functions = (buildSchema(configSchema) as Node).properties.functions
    const keyPattern = new RegExp(functions.propertyNames.pattern)
    expect(keyPattern.test('getOrder')).toBe(true)
    expect(keyPattern.test('get.order')).toBe(false)
    const routePattern = new RegExp(functions.additionalProperties.properties.routes.items.pattern)
    expect(['GET /orders/{id}', '$default', 'any /{proxy+}'].every((r) => routePattern.test(r))).toBe(true)
    expect(['/orders', 'GET orders', ''].some((r) => routePattern.test(r))).toBe(false)
    expect(functions.additionalProperties.properties.handler.description).toContain('src/get-order.handler')
  })
})
