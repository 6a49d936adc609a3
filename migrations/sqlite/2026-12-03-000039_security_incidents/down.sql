DROP TABLE security_incidents;
