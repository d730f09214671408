export { printExpr as describeExpr } from '../expr/print.js';
