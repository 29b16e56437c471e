/**
 * Configuration input shared by the agent, the config API and the CLI: one INI reader
 * ({@link io.vrouter.plumbing.config.IniFile}), one reading of booleans and integers
 * ({@link io.vrouter.plumbing.config.ConfigValues}), one range check of a numeric setting
 * ({@link io.vrouter.plumbing.config.SettingRange}) and picocli's default-value provider over
 * the INI file ({@link io.vrouter.plumbing.config.IniDefaultProvider}), so a command's flags are
 * declared once and its file keys follow from them. Everything here runs once, on the starting
 * thread.
 */
package io.vrouter.plumbing.config;
