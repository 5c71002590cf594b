import {describe, expect, test} from 'vitest'
import type {SegmentDocument} from '../../src/traces/segments.js'
import {parseSegmentDocuments} from '../../src/traces/segments.js'
import {ancestorsOf, buildSpanTree} from '../../src/traces/tree.js'
import {asDocuments, hexId, lambdaSegments, restTrace, sdkCall, segment, subsegment, T0, TRACE_ID} from './builders.js'

function shape(tree: ReturnType<typeof buildSpanTree>): string[] {
  return tree.spans.map((s) => `${'  '.repeat(s.depth)}${s.name}${s.orphan ? ' [orphan]' : ''}${s.inProgress ? ' [in progress]' : ''}`)
}

describe('buildSpanTree', () => {
  test("Lambda's two segments: the function segment under the service segment, with Initialization, Invocation and Overhead", () => {
    const tree = buildSpanTree(asDocuments(lambdaSegments({coldStart: true, calls: [sdkCall({start_time: T0 + 0.2})]})))
    expect(shape(tree)).toEqual([
      'orders-getOrder',
      '  orders-getOrder',
      '    Initialization',
      '    Invocation',
      '      DynamoDB',
      '    Overhead',
    ])
    expect(tree.roots).toHaveLength(1)
    expect(tree.roots[0].origin).toBe('AWS::Lambda')
    expect(tree.spans[1].origin).toBe('AWS::Lambda::Function')
    expect(tree.orphanCount).toBe(0)
    expect(tree.traceId).toBe(TRACE_ID)
  })

  test("a REST stage segment is the root and Lambda's service segment hangs under its Lambda subsegment", () => {
    const tree = buildSpanTree(asDocuments(restTrace({outcome: 'ok'})))
    expect(shape(tree)).toEqual([
      'orders/dev',
      '  Lambda',
      '    orders-getOrder',
      '      orders-getOrder',
      '        Invocation',
      '        Overhead',
    ])
    const lambdaService = tree.spans[2]
    expect(lambdaService.segmentId).toBe(lambdaService.id)
    expect(tree.spans[1].segmentId).toBe(tree.spans[0].id)
    expect(ancestorsOf(tree, tree.spans[4]).map((s) => s.name)).toEqual(['orders-getOrder', 'orders-getOrder', 'Lambda', 'orders/dev'])
  })

  test('documents arriving in any order build the same tree', () => {
    const docs = asDocuments(restTrace({outcome: 'error', calls: [sdkCall({start_time: T0 + 0.01})]}))
    expect(docs).toHaveLength(3)
    const expected = shape(buildSpanTree(docs))
    const orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
    for (const order of orders) expect(shape(buildSpanTree(order.map((i) => docs[i])))).toEqual(expected)
    expect(expected).toHaveLength(7)
  })

  test('a subsegment sent on its own attaches to its parent in another document, even when it arrives first', () => {
    const fn = segment({name: 'fn', subsegments: [subsegment({name: 'Invocation', id: hexId('inv')})]})
    const alone: SegmentDocument = {...sdkCall({name: 'S3', start_time: T0 + 0.005}), type: 'subsegment', trace_id: TRACE_ID, parent_id: hexId('inv')}
    const tree = buildSpanTree(asDocuments([alone, fn]))
    expect(shape(tree)).toEqual(['fn', '  Invocation', '    S3'])
    expect(tree.spans[2].kind).toBe('subsegment')
    expect(tree.spans[2].segmentId).toBe(fn.id)
  })

  test('a complete segment replaces its in-progress version whichever arrives last', () => {
    const inProgress = segment({name: 'fn', end_time: undefined, in_progress: true})
    const complete = segment({name: 'fn', end_time: T0 + 0.3, subsegments: [subsegment({name: 'Invocation'})]})
    for (const docs of [
      [inProgress, complete],
      [complete, inProgress],
    ]) {
      const tree = buildSpanTree(asDocuments(docs))
      expect(shape(tree)).toEqual(['fn', '  Invocation'])
      expect(tree.spans[0].endTime).toBe(T0 + 0.3)
      expect(tree.inProgressCount).toBe(0)
    }
  })

  test('an in-progress segment is kept, without end, and counted', () => {
    const tree = buildSpanTree(asDocuments([segment({name: 'fn', end_time: undefined, in_progress: true, start_time: T0 + 1})]))
    expect(shape(tree)).toEqual(['fn [in progress]'])
    expect(tree.spans[0].endTime).toBeUndefined()
    expect(tree.inProgressCount).toBe(1)
    expect(tree.endTime).toBe(T0 + 1)
  })

  test('spans whose parent is missing are kept as roots, marked orphan, after the true roots', () => {
    const root = segment({name: 'front', start_time: T0 + 0.5})
    const orphan = segment({name: 'lost', parent_id: 'ffffffffffffffff', start_time: T0})
    const tree = buildSpanTree(asDocuments([orphan, root]))
    expect(shape(tree)).toEqual(['front', 'lost [orphan]'])
    expect(tree.orphanCount).toBe(1)
    expect(tree.startTime).toBe(T0)
  })

  test('a parent_id cycle does not hang or lose spans: the cycle is cut and marked orphan', () => {
    const a = segment({name: 'a', id: hexId('a'), parent_id: hexId('b')})
    const b = segment({name: 'b', id: hexId('b'), parent_id: hexId('a'), start_time: T0 + 0.01})
    const self = segment({name: 'self', id: hexId('self'), parent_id: hexId('self'), start_time: T0 + 0.02})
    const tree = buildSpanTree(asDocuments([a, b, self]))
    expect(tree.spans.map((s) => s.name).sort()).toEqual(['a', 'b', 'self'])
    expect(tree.roots.every((r) => r.orphan)).toBe(true)
    expect(ancestorsOf(tree, tree.byId.get(hexId('b'))!).length).toBeLessThanOrEqual(1)
  })

  test('clock skew between hosts is tolerated: the child is marked, offsets stay non-negative', () => {
    const parent = segment({name: 'stage', start_time: T0 + 0.1, end_time: T0 + 0.2, subsegments: [subsegment({name: 'Lambda', id: hexId('lsub'), start_time: T0 + 0.11, end_time: T0 + 0.19})]})
    // Lambda's clock runs 50 ms behind API Gateway's.
    const child = segment({name: 'fn', parent_id: hexId('lsub'), start_time: T0 + 0.06, end_time: T0 + 0.13})
    const tree = buildSpanTree(asDocuments([parent, child]))
    const fn = tree.spans.find((s) => s.name === 'fn')!
    expect(fn.depth).toBe(2)
    expect(fn.clockSkew).toBe(true)
    expect(tree.spans.find((s) => s.name === 'Lambda')!.clockSkew).toBe(false)
    expect(tree.startTime).toBe(T0 + 0.06)
  })

  test("Lambda's Initialization subsegment starting before its function segment is not skew (it does so on AWS)", () => {
    const [service, fn] = lambdaSegments({coldStart: true})
    const init = fn.subsegments![0]
    fn.start_time = init.end_time!
    const tree = buildSpanTree(asDocuments([service, fn]))
    expect(tree.spans.find((s) => s.name === 'Initialization')!.clockSkew).toBe(false)
  })

  test('sibling spans are ordered by start time', () => {
    const fn = segment({
      name: 'fn',
      subsegments: [subsegment({name: 'late', start_time: T0 + 0.05}), subsegment({name: 'early', start_time: T0 + 0.01})],
    })
    expect(shape(buildSpanTree(asDocuments([fn])))).toEqual(['fn', '  early', '  late'])
  })

  test('exceptions are read from cause; a string cause is kept as a reference', () => {
    const [, fn] = lambdaSegments({outcome: 'error', exception: {type: 'Error', message: 'boom'}})
    fn.subsegments![0].cause = hexId('exception:orders-getOrder:' + T0)
    const tree = buildSpanTree(asDocuments([fn]))
    expect(tree.spans[0].exceptions).toMatchObject([{type: 'Error', message: 'boom', frames: [{label: 'handler', line: 12}, {}, {}], workingDirectory: '/var/task'}])
    expect(tree.spans[1].causeExceptionId).toBe(hexId('exception:orders-getOrder:' + T0))
  })

  test('malformed documents are reported and skipped; the rest of the trace is built', () => {
    const good = segment({name: 'good'})
    const tree = buildSpanTree([
      '{"id": "abc", ',
      JSON.stringify({id: '1', start_time: T0, end_time: T0 + 1}),
      JSON.stringify({id: '2', name: 'no-end', start_time: T0}),
      JSON.stringify({...good, subsegments: [{name: 'no-id', start_time: T0, end_time: T0}]}),
      {Id: 'x', Document: JSON.stringify(segment({name: 'wrapped', start_time: T0 + 0.5}))},
    ])
    expect(shape(tree)).toEqual(['good', 'wrapped'])
    expect(tree.problems.map((p) => [p.index, p.reason])).toEqual([
      [0, expect.stringMatching(/not valid JSON/)],
      [1, 'missing "name"'],
      [2, 'has neither "end_time" nor "in_progress": true'],
      [3, expect.stringMatching(/subsegment of .* missing "id"/)],
    ])
  })

  test('an empty trace builds an empty tree', () => {
    const tree = buildSpanTree([])
    expect(tree.spans).toEqual([])
    expect(tree.startTime).toBe(0)
  })

  test('5,000 spans, deeply nested and wide, are all placed', () => {
    const subsegments: SegmentDocument[] = []
    for (let i = 0; i < 2_498; i++) subsegments.push(subsegment({name: `call-${i}`, id: hexId(`w${i}`), start_time: T0 + i / 10_000, end_time: T0 + i / 10_000 + 0.0001}))
    // A 2,500-deep chain sent as separate subsegment documents: recursion would overflow, iteration must not.
    const chain: SegmentDocument[] = []
    let parent = hexId('w0')
    for (let i = 0; i < 2_500; i++) {
      const id = hexId(`d${i}`)
      chain.push({...subsegment({name: `deep-${i}`, id, start_time: T0 + 0.0001}), type: 'subsegment', trace_id: TRACE_ID, parent_id: parent})
      parent = id
    }
    const root = segment({name: 'root', end_time: T0 + 1, subsegments})
    const tree = buildSpanTree(asDocuments([...chain.reverse(), root]))
    expect(tree.spans).toHaveLength(1 + 2_498 + 2_500)
    expect(Math.max(...tree.spans.map((s) => s.depth))).toBe(2 + 2_500 - 1)
    expect(tree.orphanCount).toBe(0)
  })
})

describe('parseSegmentDocuments', () => {
  test('accepts strings, objects and BatchGetTraces {Id, Document} items', () => {
    const seg = segment()
    const {documents, problems} = parseSegmentDocuments([JSON.stringify(seg), seg as unknown as Record<string, unknown>, {Id: seg.id, Document: JSON.stringify(seg)}])
    expect(problems).toEqual([])
    expect(documents).toHaveLength(3)
    expect(documents[2]).toMatchObject({id: seg.id, name: seg.name, start_time: T0})
  })

  test('a numeric string HTTP status is read as a number; non-flat annotations are dropped', () => {
    const {documents} = parseSegmentDocuments([
      JSON.stringify(segment({http: {response: {status: '502' as unknown as number}}, annotations: {ok: 'x', bad: {nested: 1} as unknown as string}})),
    ])
    expect(documents[0].http?.response?.status).toBe(502)
    expect(documents[0].annotations).toEqual({ok: 'x'})
  })
})
