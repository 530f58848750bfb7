import type { Catalogue } from '../../catalogue.js';
import type { en } from './en.js';

/** 简体中文 (zh-CN): account. */
export const zhCN = {
} satisfies Catalogue<typeof en>;
