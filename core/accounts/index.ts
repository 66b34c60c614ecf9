/** Linked venue accounts: AccountService and its view and error types. */
export { AccountService, type AccountServiceDeps, type NewWallet } from './account-service.ts';
export { AccountError, type AccountErrorCode, type AccountView, type AccountsApi, type LinkedVenueView } from './types.ts';
export { normaliseRsaPem } from './pem.ts';
export { createAccountService } from './compose.ts';
