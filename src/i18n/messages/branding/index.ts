export { de } from './de.js';
export { en } from './en.js';
export { es } from './es.js';
export { fr } from './fr.js';
export { ja } from './ja.js';
export { zhCN } from './zh-CN.js';
