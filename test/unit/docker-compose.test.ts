import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Service {
  image: string;
  ports: string[];
  healthcheck?: { test: unknown };
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service> };
const readme = readFileSync('README.md', 'utf8');

describe('docker-compose.yml', () => {
  it('offers PostgreSQL 17, MySQL 8.4 and MariaDB 11.4 with health checks', () => {
    expect(compose.services.postgres?.image).toBe('postgres:17');
    expect(compose.services.mysql?.image).toBe('mysql:8.4');
    expect(compose.services.mariadb?.image).toBe('mariadb:11.4');
    for (const s of Object.values(compose.services)) expect(s.healthcheck?.test).toBeTruthy();
  });

  it('binds every port to loopback only', () => {
    for (const s of Object.values(compose.services)) {
      for (const p of s.ports) expect(p).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
  });

  it('matches the URLs the README gives for each service', () => {
    const hostPort = (name: string) => compose.services[name]?.ports[0]?.split(':')[1];
    expect(readme).toContain(
      `--pg-url postgres://postgres:lockbench@127.0.0.1:${hostPort('postgres')}/postgres`,
    );
    expect(readme).toContain(`--mysql-url mysql://root:lockbench@127.0.0.1:${hostPort('mysql')}/lockbench`);
    expect(readme).toContain(`--mysql-url mysql://root:lockbench@127.0.0.1:${hostPort('mariadb')}/lockbench`);
  });
});
