import * as z from 'zod';
import { clusterSpecSchema, SPEC_API_VERSION } from './schema';

/**
 * JSON Schema (draft 2020-12) of the cluster spec as a user writes it (fields with
 * defaults are optional), for editors and yaml-language-server.
 */
export function specJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(clusterSpecSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: `https://kumi.dev/schemas/${SPEC_API_VERSION.replace('/', '-')}-cluster.json`,
    title: 'kumi Cluster',
    description: `Cluster spec read by kumi plan and kumi up (apiVersion ${SPEC_API_VERSION}, kind Cluster).`,
  };
}
