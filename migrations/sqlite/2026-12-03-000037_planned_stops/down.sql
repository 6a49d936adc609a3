DROP TABLE planned_stops;
