import type { Catalogue } from '../../catalogue.js';
import type { en } from './en.js';

/** 简体中文 (zh-CN): branding. */
export const zhCN = {
} satisfies Catalogue<typeof en>;
