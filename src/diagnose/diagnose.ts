import {LAMBDA_REQUEST_PAYLOAD_LIMIT_BYTES} from '../gateway/errors.js'
import {possibleCauses} from './causes.js'
import {type CheckItem, checklistFor} from './checklist.js'
import type {EvidenceSet} from './evidence.js'
import {errorOf, explain, type Fix} from './explain.js'
import {type Finding, findingsFor} from './findings.js'
import {type Cause, type Confidence, PRIORITY, STAGE, VERDICT_TITLES, type Verdict} from './verdicts.js'

export interface Diagnosis {
  verdict: Verdict
  /** A short human title for the verdict. */
  title: string
  confidence: Confidence
  /** What happened, in one or two sentences, with the specifics (ARN, exception, rule, durations). */
  cause: string
  /** The evidence checklist: ✓ pass, ✗ fail, ? unknown. */
  evidence: CheckItem[]
  fix: Fix
  /** Why this verdict: the findings that support it. */
  reasons: string[]
  /** Evidence that speaks against the verdict. Any entry lowers the confidence. */
  contradictions: string[]
  /** Other things the evidence shows that do not explain this answer but matter (e.g. the function also throws). */
  notes: string[]
  /** Causes the gateway's answer allows that the evidence did not rule out, best first. */
  stillPossible: Cause[]
  /**
   * The first stack frames of the function's exception (the replay's, else the trace's), when there is one.
   * `frame` is what to open: in the project's source when a local source map of the deployed code placed it;
   * `deployedFrame` is then the same frame in the deployed bundle.
   */
  frames?: DiagnosisFrame[]
}

export interface DiagnosisFrame {
  frame: string
  deployedFrame?: string
}

function framesOf(evidence: EvidenceSet): DiagnosisFrame[] | undefined {
  const e = errorOf(evidence)
  if (!e || e.frames.length === 0) return undefined
  return e.frames.map((frame, i) => {
    const deployedFrame = e.deployedFrames?.[i]
    return deployedFrame !== undefined && deployedFrame !== frame ? {frame, deployedFrame} : {frame}
  })
}

interface Scored {
  cause: Cause
  score: number
  prior: number
  priorReason: string
  findings: Finding[]
}

/** A cause is ruled out when the evidence against it clearly outweighs the evidence for it. */
const RULED_OUT = -2
/** Support needed to name a cause rather than answer `unknown`. */
const SUPPORTED = 2
/** Support needed (with nothing against it and nothing earlier left open) for high confidence. */
const CERTAIN = 3

function stageOf(cause: Cause, evidence: EvidenceSet): number {
  // An oversized *response* is found after the function ran; an oversized request before invocation.
  if (cause === 'payload-too-large' && evidence.gateway.facts.requestBytes <= LAMBDA_REQUEST_PAYLOAD_LIMIT_BYTES && evidence.gateway.facts.status !== 413) {
    return STAGE['malformed-response']
  }
  return STAGE[cause]
}

/**
 * Evidence → verdict. The gateway's answer decides which causes are possible at all (aws-semantics §5: a REST
 * 502 can never be a permission problem); the other evidence weighs them. A verdict is `high` only when direct
 * evidence supports it, nothing contradicts it, and every earlier cause the answer allows has been ruled out; a
 * missing collector therefore lowers confidence instead of being read as a pass.
 */
export function diagnose(evidence: EvidenceSet): Diagnosis {
  const possible = possibleCauses(evidence.gateway.facts)
  const findings = findingsFor(evidence)
  const possibleSet = new Set(possible.map((p) => p.cause))

  const scored: Scored[] = possible.map((p) => {
    const own = findings.filter((f) => f.cause === p.cause)
    return {cause: p.cause, prior: p.prior, priorReason: p.reason, findings: own, score: p.prior + own.reduce((sum, f) => sum + f.weight, 0)}
  })
  const rank = (c: Cause) => PRIORITY.indexOf(c)
  scored.sort((a, b) => b.score - a.score || rank(a.cause) - rank(b.cause))

  const open = scored.filter((s) => s.score > RULED_OUT)
  const notes = findings
    .filter((f) => !possibleSet.has(f.cause) && f.weight >= SUPPORTED && f.cause !== 'ok')
    .map((f) => `Also seen: ${f.reason}.`)
  const checklist = checklistFor(evidence)

  let chosen: Scored | undefined = scored[0]?.score >= SUPPORTED ? scored[0] : undefined
  let confidence: Confidence = 'low'
  let byElimination = false
  if (!chosen) {
    // Elimination: the answer allowed several causes and all but one are ruled out. Worth naming, never with
    // more than low confidence, since nothing points at it directly.
    const openCauses = open.filter((s) => s.cause !== 'ok')
    const candidates = scored.filter((s) => s.cause !== 'ok')
    if (candidates.length >= 2 && openCauses.length === 1) {
      chosen = openCauses[0]
      byElimination = true
    }
  }

  // Two sources that disagree about one cause (the policy denies, yet this request's trace shows the function
  // ran): whatever is chosen, the evidence is not clean enough for high confidence.
  const contradictions: string[] = []
  for (const s of scored) {
    const pro = s.findings.filter((f) => f.weight >= 2).sort((a, b) => b.weight - a.weight)[0]
    const con = s.findings.filter((f) => f.weight <= -2 && f.source !== pro?.source).sort((a, b) => a.weight - b.weight)[0]
    if (pro && con) contradictions.push(`${pro.reason}, but ${con.reason}`)
  }
  if (chosen) {
    for (const f of chosen.findings) {
      if (f.weight <= -2 && !contradictions.some((c) => c.endsWith(f.reason))) contradictions.push(f.reason)
    }
    if (!byElimination) {
      const stage = stageOf(chosen.cause, evidence)
      // Causes at the same stage count too: with reserved concurrency 0 *and* an unread policy, either may be
      // what API Gateway hit.
      const earlierOpen = scored.filter((s) => s !== chosen && s.cause !== 'ok' && stageOf(s.cause, evidence) <= stage && s.score > RULED_OUT)
      const rival = scored.find((s) => s !== chosen && s.score >= SUPPORTED)
      if (chosen.score >= CERTAIN && contradictions.length === 0 && earlierOpen.length === 0 && !rival) confidence = 'high'
      else if (contradictions.length === 0 || chosen.score >= CERTAIN + 2) confidence = 'medium'
      else confidence = 'low'
      if (rival) contradictions.push(`the evidence also points at another cause: ${rivalReason(rival)}`)
    }
  }

  const verdict: Verdict = chosen ? chosen.cause : 'unknown'
  const stillPossible = open.filter((s) => s !== chosen).map((s) => s.cause)
  const {cause, fix} = explain(
    verdict,
    evidence,
    possible.map((p) => p.cause),
    open.map((s) => s.cause),
  )
  const reasons = chosen
    ? [
        ...(chosen.prior > 0 ? [chosen.priorReason] : []),
        ...chosen.findings.filter((f) => f.weight > 0).map((f) => f.reason),
        ...(byElimination ? [`every other cause the ${evidence.gateway.facts.status} allows is ruled out`] : []),
      ]
    : []
  const frames = framesOf(evidence)
  return {
    verdict,
    title: VERDICT_TITLES[verdict],
    confidence,
    cause,
    evidence: checklist,
    fix,
    reasons,
    contradictions,
    notes,
    stillPossible,
    ...(frames ? {frames} : {}),
  }
}

function rivalReason(rival: Scored): string {
  const top = rival.findings.filter((f) => f.weight > 0).sort((a, b) => b.weight - a.weight)[0]
  return top ? top.reason : rival.priorReason
}
