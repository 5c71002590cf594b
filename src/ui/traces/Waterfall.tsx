import {Box, Static, Text} from 'ink'
import {useMemo} from 'react'
import type {TraceView} from '../../traces/show.js'
import type {WaterfallLayout, WaterfallRow} from '../../traces/waterfall.js'
import {clip, detailLines, exceptionLines, layoutFor, waterfallRowCells} from './format.js'
import {inkColor} from './ink-colors.js'
import {traceHeader, traceNotes} from './plain.js'

function SpanRow({row, layout, width, details}: {row: WaterfallRow; layout: WaterfallLayout; width: number; details: boolean}) {
  const cells = waterfallRowCells(row, layout)
  const color = inkColor(cells.tone)
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        {cells.name} <Text dimColor>{cells.timing}</Text> <Text color={color}>{cells.status}</Text> <Text dimColor>{cells.before}</Text>
        <Text color={color}>{cells.bar}</Text>
        {cells.after}
      </Text>
      {row.exceptions.length > 0 ? <Text color="red">{exceptionLines(row, width).join('\n')}</Text> : null}
      {details && (Object.keys(row.annotations).length > 0 || row.metadata) ? <Text dimColor>{detailLines(row, width).join('\n')}</Text> : null}
    </Box>
  )
}

export interface WaterfallViewProps {
  view: TraceView
  /** Terminal columns. */
  width: number
  details?: boolean
}

type Item = {key: string; kind: 'header'} | {key: string; kind: 'row'; row: WaterfallRow} | {key: string; kind: 'note'; text: string}

/**
 * One trace as a waterfall. Rows go through <Static>: they are written once, so a trace taller than the
 * terminal scrolls like normal output instead of making Ink redraw the whole screen.
 */
export function WaterfallView({view, width, details = false}: WaterfallViewProps) {
  const {layout, waterfall} = useMemo(() => layoutFor(view.waterfall, width), [view, width])
  const items = useMemo<Item[]>(
    () => [
      {key: 'header', kind: 'header'},
      ...waterfall.rows.map((row, i): Item => ({key: `r${i}:${row.spanId}`, kind: 'row', row})),
      ...traceNotes(view).map((text, i): Item => ({key: `n${i}`, kind: 'note', text})),
    ],
    [view, waterfall],
  )
  const ok = view.classification.verdict === 'ok'
  return (
    <Static items={items}>
      {(item) =>
        item.kind === 'header' ? (
          <Box key={item.key} width={width}>
            <Text bold color={ok ? 'green' : 'red'} wrap="truncate">
              {clip(traceHeader(view), width, false)}
            </Text>
          </Box>
        ) : item.kind === 'row' ? (
          <SpanRow key={item.key} row={item.row} layout={layout} width={width} details={details} />
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
