import { schemaInUrl } from '../../../src/adapters/event-store/postgres/schema-name';

describe('the schema a PostgreSQL connection string names', () => {
  it('is read off ?schema= and taken out, leaving the rest as written', () => {
    expect(schemaInUrl('postgres://u@h:5432/db?schema=shop')).toEqual({ connectionString: 'postgres://u@h:5432/db', schema: 'shop' });
    expect(schemaInUrl('postgres://u@h/db?options=-c%20x&schema=a%20b&sslmode=disable')).toEqual({ connectionString: 'postgres://u@h/db?options=-c%20x&sslmode=disable', schema: 'a b' });
  });

  it('is read from a URL a URL parser refuses but pg takes: no host, a socket directory as a parameter', () => {
    expect(schemaInUrl('postgres://u@/db?host=/var/run/postgresql&schema=shop')).toEqual({ connectionString: 'postgres://u@/db?host=/var/run/postgresql', schema: 'shop' });
  });

  it('is none for a string that names none', () => {
    expect(schemaInUrl('postgres://u@h/db')).toEqual({ connectionString: 'postgres://u@h/db', schema: undefined });
    expect(schemaInUrl('host=h dbname=d')).toEqual({ connectionString: 'host=h dbname=d', schema: undefined });
  });
});
