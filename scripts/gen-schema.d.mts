import type {ZodType} from 'zod'

export declare const SCHEMA_FILE: string
export declare function buildSchema(configSchema: ZodType): Record<string, unknown>
export declare function schemaText(configSchema: ZodType): string
