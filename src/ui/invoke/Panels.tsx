import {Box, Text} from 'ink'
import type {DiagnosisPanelView, ResponsePanelView, Tone} from './model.js'

function color(tone: Tone): string | undefined {
  switch (tone) {
    case 'ok':
      return 'green'
    case 'fail':
      return 'red'
    case 'warn':
      return 'yellow'
    case 'dim':
      return undefined
  }
}

/** Status, the headers that matter, and the body. */
export function ResponsePanel({view, width}: {view: ResponsePanelView; width: number}) {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={color(view.tone)} paddingX={1} width={width}>
      <Text wrap="truncate">
        <Text bold color={color(view.tone)}>
          {view.status}
        </Text>
        <Text dimColor>{`  ${view.subtitle}`}</Text>
      </Text>
      {view.headers.map(([name, value]) => (
        <Text key={name} wrap="truncate">
          <Text dimColor>{`${name}: `}</Text>
          {value}
        </Text>
      ))}
      <Box marginTop={1} flexDirection="column">
        <Text>{view.body}</Text>
        {view.bodyNote ? <Text dimColor>{`… ${view.bodyNote}`}</Text> : null}
      </Box>
    </Box>
  )
}

/** The verdict, the evidence checklist (✓ / ✗ / ?) and the fix. */
export function DiagnosisPanel({view, width}: {view: DiagnosisPanelView; width: number}) {
  const labelWidth = Math.min(40, Math.max(...view.checks.map((c) => c.label.length), 0) + 2)
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={color(view.tone)} paddingX={1} width={width}>
      <Text>
        <Text bold color={color(view.tone)}>
          {view.title}
        </Text>
        <Text dimColor>{`  ${view.verdict} · confidence ${view.confidence}`}</Text>
      </Text>
      <Text>{view.cause}</Text>
      <Box marginTop={1} flexDirection="column">
        <Text bold>Evidence</Text>
        {view.checks.map((check) => (
          <Box key={check.label}>
            <Box width={2} flexShrink={0}>
              <Text color={color(check.tone)}>{check.mark}</Text>
            </Box>
            <Box width={labelWidth} flexShrink={0}>
              <Text>{check.label}</Text>
            </Box>
            <Box flexShrink={1}>
              <Text dimColor>{check.detail}</Text>
            </Box>
          </Box>
        ))}
      </Box>
      {view.contradictions.length > 0 ? (
        <Box marginTop={1} flexDirection="column">
          <Text color="yellow">Conflicting evidence</Text>
          {view.contradictions.map((text) => (
            <Text key={text}>
              <Text color="yellow">! </Text>
              {text}
            </Text>
          ))}
        </Box>
      ) : null}
      {view.notes.map((note) => (
        <Box key={note} marginTop={1}>
          <Text>
            <Text color="cyan">› </Text>
            {note}
          </Text>
        </Box>
      ))}
      <Box marginTop={1} flexDirection="column">
        <Text bold>Fix</Text>
        <Text>{view.fixSummary}</Text>
        {view.code ? <Text color="cyan">{`  ${view.code}`}</Text> : null}
        {view.commands.map((command) => (
          <Text key={command}>
            <Text dimColor>{'  $ '}</Text>
            <Text color="cyan">{command}</Text>
          </Text>
        ))}
      </Box>
    </Box>
  )
}

export function InvokeView({response, diagnosis, width}: {response: ResponsePanelView; diagnosis?: DiagnosisPanelView; width: number}) {
  return (
    <Box flexDirection="column">
      <ResponsePanel view={response} width={width} />
      {diagnosis ? <DiagnosisPanel view={diagnosis} width={width} /> : null}
    </Box>
  )
}
