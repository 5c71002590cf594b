import {Box, Text} from 'ink'
import type {AuditView, FunctionView, Tone} from './model.js'

function color(tone: Tone): string | undefined {
  switch (tone) {
    case 'ok':
      return 'green'
    case 'stale':
      return 'red'
    case 'warn':
      return 'yellow'
    case 'bad':
      return 'magenta'
    case 'dim':
      return undefined
  }
}

function FunctionTable({view, width}: {view: FunctionView; width: number}) {
  const sidWidth = Math.min(40, Math.max(3, ...view.rows.map((r) => r.sid.length + (r.mine ? 2 : 0))))
  return (
    <Box flexDirection="column" marginBottom={1} width={width}>
      <Text wrap="truncate">
        <Text bold>{view.name}</Text> <Text dimColor>{view.region}</Text> policy{' '}
        <Text color={color(view.sizeTone)} dimColor={view.sizeTone === 'dim'}>
          {view.size}
        </Text>
      </Text>
      {view.problem ? <Text color="magenta">{`  ! the policy could not be read: ${view.problem}`}</Text> : null}
      {view.rows.length === 0 && !view.problem ? <Text dimColor>{'  no resource policy'}</Text> : null}
      {view.rows.length > 0 ? (
        <Box>
          <Box width={18} flexShrink={0}>
            <Text dimColor>{'  STATUS'}</Text>
          </Box>
          <Box width={sidWidth + 2} flexShrink={0}>
            <Text dimColor>SID</Text>
          </Box>
          <Text dimColor>GRANT</Text>
        </Box>
      ) : null}
      {view.rows.map((row) => (
        <Box key={row.sid} flexDirection="column">
          <Box>
            <Box width={18} flexShrink={0}>
              <Text color={color(row.tone)} dimColor={row.tone === 'dim'}>{`  ${row.status}`}</Text>
            </Box>
            <Box width={sidWidth + 2} flexShrink={0}>
              <Text wrap="truncate">
                {row.sid}
                {row.mine ? <Text color="cyan"> *</Text> : null}
              </Text>
            </Box>
            <Text wrap="truncate">{row.grant}</Text>
          </Box>
          <Box paddingLeft={18}>
            <Text dimColor wrap="truncate">
              {row.reason}
            </Text>
          </Box>
        </Box>
      ))}
      {view.uncovered.length > 0 ? (
        <Box flexDirection="column">
          <Text color="yellow">{`  ${view.uncovered.length} route${view.uncovered.length === 1 ? '' : 's'} no statement grants (API Gateway answers 500):`}</Text>
          {view.uncovered.map((r) => (
            <Text key={`${r.api}|${r.stage}|${r.route}`} wrap="truncate">
              {`    ${r.route} on ${r.stage} of API ${r.api}`}
              {r.deniedBy ? <Text dimColor>{` (denied by ${r.deniedBy})`}</Text> : null}
              <Text dimColor>{`  grant: ${r.add}`}</Text>
            </Text>
          ))}
        </Box>
      ) : null}
      <Text dimColor>{`  ${view.summary}`}</Text>
    </Box>
  )
}

/** `tracegate permissions` on a terminal: one table per function, coloured by status. */
export function AuditTable({view, width}: {view: AuditView; width: number}) {
  return (
    <Box flexDirection="column" width={width}>
      {view.functions.map((f) => (
        <FunctionTable key={`${f.region}|${f.name}`} view={f} width={width} />
      ))}
      {view.missing.map((name) => (
        <Text key={`missing-${name}`} color="yellow">{`! function ${name} does not exist`}</Text>
      ))}
      {view.functions.some((f) => f.rows.some((r) => r.mine)) ? (
        <Text>
          <Text color="cyan">*</Text>
          <Text dimColor> created by tracegate</Text>
        </Text>
      ) : null}
      <Text>{view.footer}</Text>
    </Box>
  )
}
