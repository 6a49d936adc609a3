DROP TABLE account_totp;
