import {Box, Static, Text} from 'ink'
import type {TraceListResult} from '../../traces/list.js'
import type {TraceListLine} from '../../traces/summary.js'
import {traceLineCells} from './format.js'
import {inkColor} from './ink-colors.js'

export function TraceLine({line, width}: {line: TraceListLine; width: number}) {
  const cells = traceLineCells(line, width)
  const color = inkColor(cells.tone)
  return (
    <Box width={width}>
      <Text wrap="truncate">
        <Text dimColor>{cells.time}</Text> {cells.method} {cells.path} <Text color={color}>{cells.status}</Text> {cells.duration}{' '}
        <Text color={color} bold={cells.tone !== 'ok'}>
          {cells.badge}
        </Text>
        {cells.cause ? <Text color="red"> {cells.cause}</Text> : null}
      </Text>
    </Box>
  )
}

type Item = {key: string; line?: TraceListLine; text?: string}

/** `tracegate traces`: one line per trace, then a footer. Written through <Static> (printed once). */
export function TraceListView({result, width}: {result: TraceListResult; width: number}) {
  const items: Item[] = result.traces.map((line) => ({key: line.id, line}))
  if (result.traces.length === 0) items.push({key: 'empty', text: `No traces between ${result.window.start} and ${result.window.end}.`})
  else {
    const more = result.truncated ? ' (more matched: raise --limit or narrow --since)' : ''
    items.push({key: 'footer', text: `${result.traces.length} trace${result.traces.length === 1 ? '' : 's'}${more}. Show one: tracegate traces show ${result.traces[0].id}`})
  }
  return (
    <Static items={items}>
      {(item) =>
        item.line ? (
          <TraceLine key={item.key} line={item.line} width={width} />
        ) : (
          <Box key={item.key} width={width}>
            <Text dimColor wrap="truncate">
              {item.text}
            </Text>
          </Box>
        )
      }
    </Static>
  )
}
