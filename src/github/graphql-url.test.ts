import { describe, expect, it } from 'vitest';
import { graphqlUrl } from './client.js';

describe('graphqlUrl', () => {
  it('puts GraphQL next to the REST root the way GitHub serves it', () => {
    expect(graphqlUrl('https://api.github.com')).toBe('https://api.github.com/graphql');
    // GHES: REST under /api/v3, GraphQL at /api/graphql.
    expect(graphqlUrl('https://ghe.example.com/api/v3')).toBe('https://ghe.example.com/api/graphql');
    expect(graphqlUrl('https://ghe.example.com/api/v3/')).toBe('https://ghe.example.com/api/graphql');
  });
});
