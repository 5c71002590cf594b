import {Box, Static, Text} from 'ink'
import Spinner from 'ink-spinner'
import {useSyncExternalStore} from 'react'
import type {TraceFeed} from './feed.js'
import {inkColor} from './ink-colors.js'
import {TraceLine} from './TraceList.js'

/** `traces --follow`: traces stream above (printed once each), a live status line stays at the bottom. */
export function FollowView({feed, width}: {feed: TraceFeed; width: number}) {
  useSyncExternalStore(
    (listener) => feed.subscribe(listener),
    () => feed.snapshot(),
  )
  const status = feed.status()
  return (
    <Box flexDirection="column">
      <Static items={[...feed.entries()]}>
        {(entry) => (
          <Box key={entry.key} width={width}>
            {entry.kind === 'updated' ? <Text dimColor>↻ </Text> : null}
            <TraceLine line={entry.trace} width={entry.kind === 'updated' ? width - 2 : width} />
          </Box>
        )}
      </Static>
      <Box width={width}>
        {feed.isStopped() ? (
          <Text dimColor>■</Text>
        ) : (
          <Text color="cyan">
            <Spinner type="dots" />
          </Text>
        )}
        <Text color={inkColor(status.tone)} dimColor={status.tone === 'dim'} wrap="truncate">
          {' '}
          {status.text}
        </Text>
      </Box>
    </Box>
  )
}
