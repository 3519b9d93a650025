// The search and tags contract on the SQLite engine (FTS5).

import { openSqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { runSearchContract } from './search-contract.ts';

runSearchContract('sqlite', (clock) => openSqliteStore(':memory:', { clock }));
