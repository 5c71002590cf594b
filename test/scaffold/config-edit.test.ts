import {describe, expect, test} from 'vitest'
import {addFunction, addRouteToFunction} from '../../src/scaffold/config-edit.js'

const GENERATED = `{
  "$schema": "./node_modules/tracegate/schema.json",
  "name": "demo",
  "api": {
    "type": "http",
    "stage": "$default"
  },
  "functions": {
    "getHello": {
      "handler": "src/get-hello.handler",
      "routes": [
        "GET /hello"
      ]
    }
  }
}
`

const HAND_WRITTEN = `{
  "functions": {
    "getOrder":    { "handler": "src/get-order.handler",    "routes": ["GET /orders/{id}"] },
    "createOrder": { "handler": "src/create-order.handler", "routes": ["POST /orders"] }
  },
  "name": "orders",
  "region": "us-east-2"
}`

describe('addFunction', () => {
  test('appends an expanded entry in a JSON.stringify-style file, leaving the rest byte for byte', () => {
    const edited = addFunction(GENERATED, 'postOrders', {handler: 'src/post-orders.handler', routes: ['POST /orders']})
    expect(edited).toBe(`{
  "$schema": "./node_modules/tracegate/schema.json",
  "name": "demo",
  "api": {
    "type": "http",
    "stage": "$default"
  },
  "functions": {
    "getHello": {
      "handler": "src/get-hello.handler",
      "routes": [
        "GET /hello"
      ]
    },
    "postOrders": {
      "handler": "src/post-orders.handler",
      "routes": [
        "POST /orders"
      ]
    }
  }
}
`)
  })

  test('keeps one-line entries on one line and the key order of the file', () => {
    const edited = addFunction(HAND_WRITTEN, 'deleteOrder', {handler: 'src/delete-order.handler', routes: ['DELETE /orders/{id}']})
    expect(edited).toBe(`{
  "functions": {
    "getOrder":    { "handler": "src/get-order.handler",    "routes": ["GET /orders/{id}"] },
    "createOrder": { "handler": "src/create-order.handler", "routes": ["POST /orders"] },
    "deleteOrder": { "handler": "src/delete-order.handler", "routes": ["DELETE /orders/{id}"] }
  },
  "name": "orders",
  "region": "us-east-2"
}`)
  })

  test('keeps tabs and CRLF line endings', () => {
    const text = '{\r\n\t"name": "x",\r\n\t"functions": {\r\n\t\t"a": {\r\n\t\t\t"handler": "src/a.handler"\r\n\t\t}\r\n\t}\r\n}\r\n'
    const edited = addFunction(text, 'b', {handler: 'src/b.handler', routes: ['GET /b']})
    expect(edited).toBe(
      '{\r\n\t"name": "x",\r\n\t"functions": {\r\n\t\t"a": {\r\n\t\t\t"handler": "src/a.handler"\r\n\t\t},\r\n\t\t"b": {\r\n\t\t\t"handler": "src/b.handler",\r\n\t\t\t"routes": [\r\n\t\t\t\t"GET /b"\r\n\t\t\t]\r\n\t\t}\r\n\t}\r\n}\r\n',
    )
  })

  test('keeps 4-space indentation', () => {
    const text = '{\n    "name": "x",\n    "functions": {\n        "a": {\n            "handler": "src/a.handler",\n            "routes": ["GET /a"]\n        }\n    }\n}\n'
    const edited = addFunction(text, 'b', {handler: 'src/b.handler', routes: ['GET /b']})
    expect(edited).toContain('        },\n        "b": {\n            "handler": "src/b.handler",\n            "routes": ["GET /b"]\n        }\n    }\n}\n')
  })

  test('opens an empty functions object', () => {
    const edited = addFunction('{\n  "name": "x",\n  "functions": {}\n}\n', 'a', {handler: 'src/a.handler', routes: ['GET /a']})
    expect(edited).toBe('{\n  "name": "x",\n  "functions": {\n    "a": {\n      "handler": "src/a.handler",\n      "routes": [\n        "GET /a"\n      ]\n    }\n  }\n}\n')
  })

  test('works on a config written on one line', () => {
    const edited = addFunction('{"name":"x","functions":{"a":{"handler":"src/a.handler","routes":["GET /a"]}}}', 'b', {handler: 'src/b.handler', routes: ['GET /b']})
    expect(edited).toBe('{"name":"x","functions":{"a":{"handler":"src/a.handler","routes":["GET /a"]},"b":{"handler":"src/b.handler","routes":["GET /b"]}}}')
  })

  test('refuses a function that exists', () => {
    expect(() => addFunction(GENERATED, 'getHello', {handler: 'src/x.handler', routes: []})).toThrow(/already exists/)
  })
})

describe('addRouteToFunction', () => {
  test('adds a line to an expanded routes array', () => {
    const edited = addRouteToFunction(GENERATED, 'getHello', 'GET /hello/{name}')
    expect(edited).toContain('      "routes": [\n        "GET /hello",\n        "GET /hello/{name}"\n      ]\n')
    expect(edited.replace('GET /hello",\n        "GET /hello/{name}"', 'GET /hello"')).toBe(GENERATED)
  })

  test('adds to a one-line routes array in its own style', () => {
    const edited = addRouteToFunction(HAND_WRITTEN, 'getOrder', 'PUT /orders/{id}')
    expect(edited).toContain('"routes": ["GET /orders/{id}", "PUT /orders/{id}"] },')
    const compact = addRouteToFunction('{"name":"x","functions":{"a":{"handler":"src/a.handler","routes":["GET /a","GET /b"]}}}', 'a', 'GET /c')
    expect(compact).toBe('{"name":"x","functions":{"a":{"handler":"src/a.handler","routes":["GET /a","GET /b","GET /c"]}}}')
  })

  test('fills an empty routes array', () => {
    const edited = addRouteToFunction('{"name": "x", "functions": {"a": {"handler": "src/a.handler", "routes": []}}}', 'a', 'GET /a')
    expect(edited).toBe('{"name": "x", "functions": {"a": {"handler": "src/a.handler", "routes": ["GET /a"]}}}')
  })

  test('creates the routes array when the function has none', () => {
    const text = '{\n  "name": "x",\n  "functions": {\n    "a": {\n      "handler": "src/a.handler"\n    }\n  }\n}\n'
    expect(addRouteToFunction(text, 'a', 'GET /a')).toBe(
      '{\n  "name": "x",\n  "functions": {\n    "a": {\n      "handler": "src/a.handler",\n      "routes": [\n        "GET /a"\n      ]\n    }\n  }\n}\n',
    )
  })
})
