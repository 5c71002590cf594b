import {render} from 'ink-testing-library'
import {describe, expect, test} from 'vitest'
import {auditPolicy} from '../../src/permissions/audit.js'
import {parsePolicy} from '../../src/permissions/policy.js'
import {planPrune} from '../../src/permissions/prune.js'
import type {AuditReport, PruneReport} from '../../src/permissions/service.js'
import {paletteFor, stripAnsi} from '../../src/ui/colors.js'
import {AuditTable} from '../../src/ui/permissions/AuditTable.js'
import {formatAuditReport, formatPrunePlans, formatPruneReport} from '../../src/ui/permissions/format.js'
import {auditView, functionView} from '../../src/ui/permissions/model.js'
import {apiGatewayStatement, executeApi, FUNCTION_ARN, httpApi, policyDocument, restApi, s3Statement, tracegateStatement} from './fixtures.js'

const plainPalette = paletteFor({isTTY: false})
const colourPalette = paletteFor({isTTY: true}, {})

const snapshot = {
  apis: [
    httpApi({apiId: 'httpapi001', name: 'orders', routeKeys: ['GET /orders/{id}', 'DELETE /orders/{id}'], routeFunctions: {'GET /orders/{id}': FUNCTION_ARN, 'DELETE /orders/{id}': FUNCTION_ARN}}),
    restApi({apiId: 'restapi001', stages: ['prod'], routeKeys: ['GET /orders/{id}'], routeFunctions: {'GET /orders/{id}': FUNCTION_ARN}}),
  ],
}
const statements = [
  tracegateStatement('httpapi001', executeApi('httpapi001/$default/GET/orders/*')),
  tracegateStatement('deadapi001', executeApi('deadapi001/$default/GET/orders/*')),
  apiGatewayStatement({sid: 'east1', sourceArn: executeApi('httpapi001/*/GET/orders/*', 'us-east-1')}),
  apiGatewayStatement({sid: 'broad', sourceArn: executeApi('restapi001/*/*')}),
  s3Statement,
]
const policy = parsePolicy(policyDocument(statements))
const audit = auditPolicy({functionArn: FUNCTION_ARN, policy, snapshot})
const report: AuditReport = {region: 'us-east-2', functions: [audit], missingFunctions: ['orders-old'], apis: [{region: 'us-east-2', listed: 1, described: 1}], awsCalls: 6}

describe('permission view model', () => {
  test('rows carry status, tone, the short grant and whether prune would remove them', () => {
    const view = functionView(audit)
    expect(view.rows.map((r) => [r.status, r.tone, r.grant, r.prunable, r.mine])).toEqual([
      ['ok', 'ok', 'httpapi001/$default/GET/orders/*', false, true],
      ['stale-api', 'stale', 'deadapi001/$default/GET/orders/*', true, true],
      ['region-mismatch', 'stale', 'us-east-1:httpapi001/*/GET/orders/*', true, false],
      ['over-broad', 'warn', 'restapi001/*/*', false, false],
      ['foreign', 'dim', 'arn:aws:s3:::orders-uploads', false, false],
    ])
    expect(functionView(audit, {includeOverBroad: true}).prunable).toBe(3)
    expect(view.summary).toBe('1 ok, 1 stale-api, 1 region-mismatch, 1 over-broad, 1 foreign · 2 by tracegate')
  })

  test('the footer says what to do next', () => {
    expect(auditView(report).footer).toBe(
      '1 function audited with 6 AWS calls; 1 route without a grant (they answer 500: run tracegate deploy); 2 statements to prune: tracegate permissions prune',
    )
  })

  test('a policy near the limit is flagged in the size line', () => {
    const big = Array.from({length: 58}, (_, i) => tracegateStatement(`gone${i}`, executeApi(`gone${i}/$default/GET/x`)))
    const near = auditPolicy({functionArn: FUNCTION_ARN, policy: policyDocument(big), snapshot})
    const view = functionView(near)
    expect(view.sizeTone).toBe('warn')
    expect(view.size).toMatch(/^\d{2},\d{3} \/ 20,480 bytes \(9\d %\)$/)
  })
})

describe('plain audit text', () => {
  test('lists every statement with its reason, the uncovered route, missing functions and the footer', () => {
    const text = formatAuditReport(report, plainPalette)
    expect(text).toContain('orders-getOrder us-east-2  policy ')
    expect(text).toMatch(/ {2}stale-api {7}tracegate-deadapi001-[0-9a-f]{12} \* {2}deadapi001\/\$default\/GET\/orders\/\*\n {18}API deadapi001 no longer exists in us-east-2/)
    expect(text).toContain('1 route no statement grants (API Gateway answers 500):')
    expect(text).toContain('DELETE /orders/{id} on $default of API httpapi001  grant: arn:aws:execute-api:us-east-2:123456789012:httpapi001/$default/DELETE/orders/*')
    expect(text).toContain('! function orders-old does not exist')
    expect(text).toContain('* created by tracegate')
    expect(text).not.toMatch(/\u001B\[/)
  })

  test('colours statuses on a terminal', () => {
    const text = formatAuditReport(report, colourPalette)
    expect(text).toContain('\u001B[31mstale-api')
    expect(stripAnsi(text)).toBe(formatAuditReport(report, plainPalette))
  })
})

describe('prune text', () => {
  const plan = planPrune(audit, policy)

  test('the plan lists each removal with its reason and the bytes it frees', () => {
    const text = formatPrunePlans([plan], plainPalette)
    expect(text).toContain(`policy ${plan.bytesBefore.toLocaleString('en-US')} → ${plan.bytesAfter.toLocaleString('en-US')} bytes (frees ${plan.bytesFreed.toLocaleString('en-US')})`)
    expect(text).toMatch(/- stale-api {7}tracegate-deadapi001-\w+ +API deadapi001 no longer exists/)
    expect(text).toMatch(/- region-mismatch east1/)
    expect(text).toContain('2 statements to remove')
  })

  const base: PruneReport = {
    region: 'us-east-2',
    dryRun: false,
    confirmed: true,
    plans: [plan],
    functions: [],
    missingFunctions: [],
    totals: {planned: 2, removed: 0, bytesFreed: 0, failed: 0},
    awsCalls: 9,
  }

  test('a dry run shows the plan and says nothing was removed', () => {
    expect(formatPruneReport({...base, dryRun: true, confirmed: false}, plainPalette)).toContain('Dry run: nothing was removed.')
  })

  test('a declined prune says nothing was removed', () => {
    expect(formatPruneReport({...base, confirmed: false}, plainPalette)).toBe('Cancelled: nothing was removed.\n')
  })

  test('the result reports removals, re-plans, statements left in place and bytes freed', () => {
    const text = formatPruneReport(
      {
        ...base,
        functions: [
          {
            functionName: 'orders-getOrder',
            functionArn: FUNCTION_ARN,
            planned: plan.removals,
            removed: plan.removals.slice(0, 1),
            alreadyGone: [],
            notRemoved: [{sid: 'east1', reason: 'no longer prunable after re-reading the policy (now ok)'}],
            skipped: [],
            replans: 1,
            bytesBefore: 2000,
            bytesAfter: 1600,
            bytesFreed: 400,
          },
        ],
        totals: {planned: 2, removed: 1, bytesFreed: 400, failed: 0},
      },
      plainPalette,
    )
    expect(text).toContain('✓ orders-getOrder: removed 1 statement, 1,600 / 20,480 bytes (8 %) (freed 400 bytes)')
    expect(text).toContain('re-read and re-planned 1 time')
    expect(text).toContain('= east1: no longer prunable after re-reading the policy (now ok)')
    expect(text).toContain('1 statement removed, 400 bytes freed.')
  })
})

describe('Ink audit table', () => {
  test('shows each statement, its reason, the uncovered route and the footer', () => {
    const {lastFrame, unmount} = render(<AuditTable view={auditView(report)} width={160} />)
    const frame = stripAnsi(lastFrame() ?? '')
    unmount()
    expect(frame).toContain('orders-getOrder')
    expect(frame).toMatch(/stale-api\s+tracegate-deadapi001-\w+ \*\s+deadapi001\/\$default\/GET\/orders\/\*/)
    expect(frame).toContain('API deadapi001 no longer exists in us-east-2')
    expect(frame).toMatch(/region-mismatch +east1/)
    expect(frame).toContain('DELETE /orders/{id} on $default of API httpapi001')
    expect(frame).toContain('! function orders-old does not exist')
    expect(frame).toContain('2 statements to prune: tracegate permissions prune')
  })

  test('fits an 80-column terminal by truncating long lines', () => {
    const {lastFrame, unmount} = render(<AuditTable view={auditView(report)} width={80} />)
    const frame = stripAnsi(lastFrame() ?? '')
    unmount()
    for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80)
    expect(frame).toContain('stale-api')
  })
})
