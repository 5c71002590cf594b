import {describe, expect, test} from 'vitest'
import {decideStageTrace} from '../../../src/local/dataplane/rest.js'
import {createSampler, DEFAULT_RULE} from '../../../src/local/runtime/sampling.js'
import {decideTrace} from '../../../src/local/runtime/tracing.js'

const ROOT = '1-6b0ac835-23a143ca6e96fb6ad8629b66'
const PARENT = '53995c3f42cd8ad8'

/** Random draws from a list, recording how many were taken. */
function draws(values: number[]) {
  let taken = 0
  return {
    random: () => values[taken++] ?? 0.99,
    get taken() {
      return taken
    },
  }
}

describe('createSampler', () => {
  test('all: every request, no random draw', () => {
    const source = draws([])
    const sample = createSampler('all', source.random)
    expect([1, 2, 3].map((i) => sample('fn', 1_000 + i))).toEqual([true, true, true])
    expect(source.taken).toBe(0)
  })

  test("aws: the first request of each second from the reservoir, then the fixed rate's draw decides", () => {
    expect(DEFAULT_RULE).toEqual({reservoirPerSecond: 1, fixedRate: 0.05})
    // Draws: 0.5 (not sampled), 0.049 (sampled: under 5 %), 0.05 (not: the rate is exclusive).
    const source = draws([0.5, 0.049, 0.05])
    const sample = createSampler('aws', source.random)
    expect(sample('fn', 10_000)).toBe(true)
    expect(source.taken).toBe(0)
    expect([sample('fn', 10_100), sample('fn', 10_200), sample('fn', 10_999)]).toEqual([false, true, false])
    expect(source.taken).toBe(3)
    // A new second refills the reservoir.
    expect(sample('fn', 11_000)).toBe(true)
    expect(source.taken).toBe(3)
  })

  test('aws: each key has its own reservoir', () => {
    const sample = createSampler('aws', () => 0.99)
    expect([sample('a', 5_000), sample('b', 5_001), sample('a', 5_002), sample('b', 5_003)]).toEqual([true, true, false, false])
  })
})

describe('the sampler in the decisions', () => {
  const never = () => false

  test("Lambda: an Active function asks the sampler only about undecided requests; PassThrough never asks", () => {
    let asked = 0
    const counting = () => {
      asked++
      return false
    }
    expect(decideTrace('Active', undefined, Date.now(), counting).sampled).toBe(false)
    expect(decideTrace('Active', `Root=${ROOT};Parent=${PARENT};Sampled=1`, Date.now(), counting).sampled).toBe(true)
    expect(decideTrace('Active', `Root=${ROOT};Parent=${PARENT};Sampled=0`, Date.now(), () => true).sampled).toBe(false)
    expect(decideTrace('PassThrough', undefined, Date.now(), counting).sampled).toBe(false)
    expect(asked).toBe(1)
    expect(decideTrace('Active', undefined, Date.now(), () => true).sampled).toBe(true)
    expect(decideTrace('Active', undefined).sampled).toBe(true)
  })

  test('REST stage: a traced stage follows Sampled=1 and Sampled=0, asks about the rest; an untraced one never traces', () => {
    expect(decideStageTrace(undefined, true, never).sampled).toBe(false)
    expect(decideStageTrace(`Root=${ROOT};Sampled=1`, true, never).sampled).toBe(true)
    expect(decideStageTrace(`Root=${ROOT};Sampled=0`, true, () => true).sampled).toBe(false)
    expect(decideStageTrace(`Root=${ROOT}`, true, () => true).sampled).toBe(true)
    expect(decideStageTrace(undefined, true).sampled).toBe(true)
    expect(decideStageTrace(`Root=${ROOT};Sampled=1`, false).sampled).toBe(false)
    let asked = 0
    expect(decideStageTrace(undefined, false, () => ++asked > 0).sampled).toBe(false)
    expect(asked).toBe(0)
    // The caller's header is passed on when its root is kept, and not when a new trace had to be started.
    expect(decideStageTrace(`Root=${ROOT};Parent=${PARENT};Sampled=0`, true)).toMatchObject({traceId: ROOT, upstreamParent: PARENT, incoming: `Root=${ROOT};Parent=${PARENT};Sampled=0`})
    expect(decideStageTrace('Root=not-a-trace-id;Sampled=1', true).incoming).toBeUndefined()
  })
})
