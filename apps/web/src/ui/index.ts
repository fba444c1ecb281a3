export { Badge, type BadgeTone } from './badge.js';
export { Button, ButtonLink } from './button.js';
export { DateTime } from './date-time.js';
export { Field } from './field.js';
export { PageHeader } from './page-header.js';
export { describeError, Empty, ErrorState, fieldErrors, Loading } from './states.js';
export { ConfirmAction } from './confirm.js';
export { Pager } from './pager.js';
export { SearchBox, useSearchedPages } from './searched-pages.js';
