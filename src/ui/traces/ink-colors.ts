import type {Tone} from './format.js'

/** Ink colour names for the tones (the plain renderer uses the same mapping through its palette). */
export function inkColor(tone: Tone): string | undefined {
  switch (tone) {
    case 'ok':
      return 'green'
    case 'error':
      return 'yellow'
    case 'throttle':
      return 'magenta'
    case 'fault':
      return 'red'
    case 'partial':
      return 'cyan'
    case 'dim':
      return undefined
  }
}
