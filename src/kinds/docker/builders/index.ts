import type { Builder, BuilderContext, BuilderName } from './builder.js';
import { containersBuilder } from './containers.js';
import { dockerBuilder } from './docker.js';

export function createBuilder(name: BuilderName, ctx: BuilderContext): Builder {
  return name === 'docker' ? dockerBuilder(ctx) : containersBuilder(name, ctx);
}
