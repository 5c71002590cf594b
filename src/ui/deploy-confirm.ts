import {createInterface} from 'node:readline/promises'

/**
 * A yes/no question on the terminal (default: no). Asked before any progress renderer starts, so it never
 * competes with an Ink frame for the screen.
 */
export async function confirm(
  question: string,
  streams: {input: NodeJS.ReadableStream; output: NodeJS.WritableStream} = {input: process.stdin, output: process.stderr},
): Promise<boolean> {
  const rl = createInterface({input: streams.input, output: streams.output, terminal: false})
  try {
    const answer = await rl.question(`${question} [y/N] `)
    return /^y(es)?$/i.test(answer.trim())
  } finally {
    rl.close()
  }
}

/** True when there is a person at a terminal to answer a question. */
export function canAsk(input: {isTTY?: boolean} = process.stdin, output: {isTTY?: boolean} = process.stderr): boolean {
  return Boolean(input.isTTY && output.isTTY)
}
