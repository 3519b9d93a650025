// The search and tags contract on PostgreSQL (GIN on to_tsvector), one fresh database per test.

import { createLogger } from '../../server/logger.ts';
import { openPostgresStore } from '../../server/store/postgres/postgres-store.ts';
import { freshPostgresUrl } from '../helpers/test-services.ts';
import { runSearchContract } from './search-contract.ts';

const logger = createLogger('silent');

runSearchContract('postgres', async (clock) => openPostgresStore(await freshPostgresUrl(), { poolSize: 4, logger, clock }));
