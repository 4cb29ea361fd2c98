import { describe, expect, it } from 'vitest';
import { dialectOfUrl, hostPort, redactUrl } from '../../core/connect.ts';

describe('URL handling', () => {
  it('redacts passwords and secret query parameters', () => {
    expect(redactUrl('postgres://u:s3cret@db:5432/x?sslpassword=abc&x=1')).toBe(
      'postgres://u:***@db:5432/x?sslpassword=***&x=1',
    );
    expect(redactUrl('not a url s3cret')).not.toContain('s3cret');
  });

  it('names host and port with protocol defaults', () => {
    expect(hostPort('postgres://u:p@h/x')).toBe('h:5432');
    expect(hostPort('mysql://u:p@h:3307/x')).toBe('h:3307');
  });

  it('tells dialects from URL schemes', () => {
    expect(dialectOfUrl('postgresql://h/x')).toBe('postgres');
    expect(dialectOfUrl('mariadb://h/x')).toBe('mysql');
    expect(dialectOfUrl('http://h/x')).toBeNull();
  });
});
