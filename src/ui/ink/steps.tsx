import {Box, Text} from 'ink'
import Spinner from 'ink-spinner'
import {useSyncExternalStore} from 'react'
import {formatDuration} from '../plain.js'
import type {StepRow, StepTracker} from '../step-model.js'

function Row({row}: {row: StepRow}) {
  const took = row.durationMs === undefined ? '' : ` ${formatDuration(row.durationMs)}`
  const detail = row.detail ? ` (${row.detail})` : ''
  const icon =
    row.status === 'start' ? (
      <Text color="cyan">
        <Spinner type="dots" />
      </Text>
    ) : row.status === 'done' ? (
      <Text color="green">✓</Text>
    ) : row.status === 'fail' ? (
      <Text color="red">✗</Text>
    ) : row.status === 'warn' ? (
      <Text color="yellow">!</Text>
    ) : row.status === 'info' ? (
      <Text color="cyan">›</Text>
    ) : (
      <Text dimColor>-</Text>
    )
  return (
    <Box flexDirection="column">
      <Text>
        {icon} {row.label}
        <Text dimColor>
          {detail}
          {took}
        </Text>
      </Text>
      {row.error ? (
        <Box flexDirection="column" marginLeft={2}>
          <Text color="red">{row.error.message}</Text>
          {row.error.suggestion ? (
            <Text>
              <Text dimColor>Try:</Text> {row.error.suggestion}
            </Text>
          ) : null}
        </Box>
      ) : null}
    </Box>
  )
}

export function StepList({tracker}: {tracker: StepTracker}) {
  useSyncExternalStore(
    (listener) => tracker.subscribe(listener),
    () => tracker.snapshot(),
  )
  return (
    <Box flexDirection="column">
      {tracker.list().map((row) => (
        <Row key={row.id} row={row} />
      ))}
    </Box>
  )
}
